package ipclab.lab05;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ScratchFolder;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Lab 05 live: sockets as the kernel sees them, and one thread serving many clients. Run it with
 * {@code ./ipclab demo sockets} ({@code --no-pause} runs straight through).
 */
public final class Demo {

    private static final int CLIENTS = 200;

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();
    private final Path dir;

    private Demo(Narrator n, Path dir) {
        this.n = n;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        try (ScratchFolder dir = ScratchFolder.create("ipclab-lab05-demo-")) {
            new Demo(Narrator.fromArgs(args), dir.path()).run();
        }
    }

    private void run() throws Exception {
        listeningSockets();
        staleAndLive();
        abstractName();
        boundaries();
        peerCredentials();
        eventLoop();
        backpressure();
        n.step("Done");
        n.say("Child processes still running: " + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    private void listeningSockets() throws IOException {
        n.step("Listening sockets: a Unix socket file and a TCP port");
        Path path = dir.resolve("hello.sock");
        try (ServerSocketChannel unix = SocketFiles.listen(path);
             ServerSocketChannel tcp = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
            n.say("bind(2) created a socket file (type 's' in ls -l) at " + path + ":");
            n.shell("ls", "-l", path.toString());
            n.say("TCP on 127.0.0.1, port 0: the kernel picked port " + port + ". Both listen, in this process (pid " + pid + "):");
            showSockets(path.toString(), ":" + port);
        } finally {
            Files.deleteIfExists(path); // closing does not remove the file; the server that made it must
        }
    }

    private void staleAndLive() throws IOException {
        n.step("A stale socket file is replaced; a live one is not stolen");
        Path path = dir.resolve("server.sock");
        try {
            ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path)).close();
            n.say("A server bound " + path.getFileName() + " and closed its socket without removing the file (as a crash would):");
            n.shell("ls", "-l", path.toString());
            try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                n.say("(unexpected: connect succeeded)");
            } catch (IOException e) {
                n.say("connect(2) to it: " + e.getMessage() + " (ECONNREFUSED). probe says " + SocketFiles.probe(path));
            }
            try (ServerSocketChannel server = SocketFiles.listen(path)) {
                n.say("SocketFiles.listen removed the stale file and bound again. probe says " + SocketFiles.probe(path));
                try (ServerSocketChannel thief = SocketFiles.listen(path)) {
                    n.say("(unexpected: a second listen on a live path succeeded)");
                } catch (SocketInUseException e) {
                    n.say("A second listen on the same path, while the first server lives:");
                    n.say(e.getMessage());
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void abstractName() throws IOException {
        n.step("The abstract namespace: a name without a file");
        String name = "ipclab-demo-" + pid;
        try (AFUNIXServerSocketChannel server = AbstractNames.listen(name);
             AFUNIXSocketChannel client = AbstractNames.connect(name);
             AFUNIXSocketChannel accepted = server.accept()) {
            n.say("Bound to \"\\0" + name + "\": no file anywhere; /proc/net/unix shows the name with a leading @:");
            n.shell("grep", "-F", "@" + name, "/proc/net/unix");
            n.say("A client connected by that name; the server accepted it (" + accepted.isConnected() + ").");
        }
        n.say("All three closed: the name is gone at once, nothing stale is left:");
        n.shell("sh", "-c", "grep -cF @" + name + " /proc/net/unix || true");
    }

    private void boundaries() throws IOException {
        n.step("Stream, datagram, seqpacket: who keeps message boundaries");
        List<byte[]> messages = List.of(bytes("one"), bytes("two"), bytes("three"));
        for (SocketKind kind : SocketKind.values()) {
            try (EndpointPair pair = Boundaries.pair(kind)) {
                Boundaries.sendEach(pair.first(), messages);
                List<byte[]> reads = Boundaries.receive(pair.second(), 11);
                List<String> seen = reads.stream().map(b -> "\"" + new String(b, StandardCharsets.UTF_8) + "\"").toList();
                n.say(String.format("%-15s 3 writes -> %d read(s): %s", kind, reads.size(), String.join(" ", seen)));
            }
        }
        n.say("A stream hands over bytes, so the reader must find the messages itself (Framing: 4-byte length + payload).");
    }

    private void peerCredentials() throws Exception {
        n.step("Peer credentials: the kernel tells the server who connected");
        Path path = dir.resolve("creds.sock");
        try (AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open()) {
            server.bind(org.newsclub.net.unix.AFUNIXSocketAddress.of(path));
            try (ChildProcess child = ChildJvm.main(Client.class).args(path.toString()).start();
                 AFUNIXSocketChannel accepted = server.accept()) {
                Peer peer = PeerCredentials.of(accepted);
                n.say("A child JVM (pid " + child.pid() + ") connected. SO_PEERCRED on the accepted socket says: " + peer);
                accepted.shutdownOutput(); // the child waits for end of stream, then exits
                n.say("The child exited with status " + child.waitFor(Duration.ofSeconds(20)) + ".");
            }
        } finally {
            Files.deleteIfExists(path);
        }
        Path jdkPath = dir.resolve("jdk.sock");
        try (ServerSocketChannel server = SocketFiles.listen(jdkPath);
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(jdkPath));
             SocketChannel accepted = server.accept()) {
            n.say("The JDK's own SO_PEERCRED option tells the user and group, not the pid: " + PeerCredentials.principal(accepted));
        } finally {
            Files.deleteIfExists(jdkPath);
        }
    }

    private void eventLoop() throws Exception {
        n.step("One thread, " + CLIENTS + " clients: the event loop");
        Path path = dir.resolve("loop.sock");
        List<SocketChannel> clients = new ArrayList<>();
        try (EventLoopServer server = EventLoopServer.start(SocketFiles.listen(path), EventLoopServer.DEFAULT_OUTPUT_CAP)) {
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            ByteBuffer reply = ByteBuffer.allocate(64);
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).write(ByteBuffer.wrap(bytes("hello from client " + i)));
            }
            String last = "";
            for (int i = 0; i < CLIENTS; i++) {
                reply.clear().limit(("hello from client " + i).length());
                while (reply.hasRemaining()) {
                    clients.get(i).read(reply);
                }
                last = new String(reply.array(), 0, reply.limit(), StandardCharsets.UTF_8);
            }
            n.say(CLIENTS + " clients each sent a line and got it back upper-cased; the last: \"" + last + "\"");
            n.say("Connections open: " + server.connections() + ", served by the thread(s) " + server.servingThreads());
            n.say("Here both ends of every connection live in this process: 2 x " + CLIENTS + " socket descriptors, and a few more:");
            n.shell("sh", "-c", "ls -l /proc/" + pid + "/fd | grep -c socket");
            n.say("and ss sees them all, connected to " + path.getFileName() + ":");
            n.shell("sh", "-c", "ss -x 2>/dev/null | grep -c " + path.getFileName() + " || grep -c " + path + " /proc/net/unix");
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            Files.deleteIfExists(path);
        }
    }

    private void backpressure() throws Exception {
        n.step("Backpressure: a client that does not read");
        Path path = dir.resolve("slow.sock");
        int cap = 64 * 1024;
        try (EventLoopServer server = EventLoopServer.start(SocketFiles.listen(path), cap);
             SocketChannel slow = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            slow.configureBlocking(false);
            ByteBuffer data = ByteBuffer.wrap("abcdefgh".repeat(512 * 1024).getBytes(StandardCharsets.US_ASCII)); // 4 MiB
            long sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (data.hasRemaining() && System.nanoTime() < deadline && server.pausedConnections() == 0) {
                sent += slow.write(data);
            }
            n.say("The client wrote " + sent / 1024 + " KiB of 4096 KiB and read nothing. The server paused reading from it:");
            n.say("paused connections " + server.pausedConnections() + ", bytes buffered " + server.bufferedBytes()
                    + " (cap " + cap + "). The rest waits in the kernel's socket buffers:");
            n.shell("sh", "-c", "ss -x 2>/dev/null | grep " + path.getFileName() + " || true");
            n.say("(Recv-Q / Send-Q: bytes queued in the kernel. A server without the cap would hold the whole 4 MiB.)");
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void showSockets(String... patterns) {
        boolean haveSs = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "ss")));
        if (haveSs) {
            n.shell("sh", "-c", "ss -xlp | grep -F " + patterns[0] + "; ss -tlnp | grep -F " + patterns[1]);
        } else {
            n.shell("grep", "-F", patterns[0], "/proc/net/unix");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The child of the credentials step: connects, and exits when the server ends the stream. */
    public static final class Client {

        private Client() {
        }

        public static void main(String[] args) throws IOException {
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
                 BufferedReader ignored = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                while (channel.read(ByteBuffer.allocate(64)) >= 0) {
                    // Nothing is sent to us; read(2) returns -1 when the server shuts its side down.
                }
            }
        }
    }
}
