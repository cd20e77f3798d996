package ipclab.lab05;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/** The other process of the lab 05 tests: one main, a mode per test. Errors go to stderr, exit status 1. */
public final class TestChild {

    private TestChild() {
    }

    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        switch (args[0]) {
            case "line" -> {  // line PATH: say hello with our pid, print whatever comes back until EOF
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[1]))) {
                    c.write(ByteBuffer.wrap(("hello from " + pid + "\n").getBytes(StandardCharsets.UTF_8)));
                    System.out.println("reply: " + readToEnd(c));
                }
            }
            case "abstract" -> {  // abstract NAME: the same over an abstract name
                try (AFUNIXSocketChannel c = AFUNIXSocketChannel.open(AFUNIXSocketAddress.inAbstractNamespace(args[1]))) {
                    c.write(ByteBuffer.wrap(("hello from " + pid + "\n").getBytes(StandardCharsets.UTF_8)));
                    System.out.println("reply: " + readToEnd(c));
                }
            }
            case "serve" -> serve(Path.of(args[1]));
            case "hold" -> {  // hold PATH: connect and stay connected until the server ends the stream
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[1]))) {
                    System.out.println("connected " + pid);
                    readToEnd(c);
                }
            }
            case "frame-echo" -> {  // frame-echo unix PATH | tcp PORT: echo frames with Framing until EOF
                SocketAddress address = args[1].equals("unix") ? UnixDomainSocketAddress.of(args[2])
                        : new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[2]));
                try (SocketChannel c = SocketChannel.open(address)) {
                    byte[] frame;
                    while ((frame = Framing.read(c)) != null) {
                        Framing.write(c, frame);
                    }
                }
            }
            case "trickle" -> {  // trickle PATH SIZE: one frame of SIZE bytes, written one byte per write(2)
                int size = Integer.parseInt(args[2]);
                byte[] frame = ByteBuffer.allocate(4 + size).putInt(size).array();
                for (int i = 0; i < size; i++) {
                    frame[4 + i] = (byte) (i * 31);
                }
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(args[1]))) {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    for (byte b : frame) {
                        one.clear().put(0, b);
                        c.write(one);
                    }
                }
            }
            case "many" -> many(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** A live server made without the lab's code: answers "alive" to every client, until stdin ends. */
    private static void serve(Path path) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    SocketChannel c;
                    try {
                        c = server.accept();
                    } catch (IOException e) {
                        return; // the server is closed
                    }
                    try (c) {
                        c.write(ByteBuffer.wrap("alive\n".getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        // A probe that connected and left at once (EPIPE): serve the next client.
                    }
                }
            });
            System.out.println("listening");
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the test closes our stdin
            Files.deleteIfExists(path);
        }
        System.exit(0); // without waiting for the accepting thread
    }

    /** N clients connected at once; ROUNDS rounds of a line each; "connected" after the first; waits for a go line. */
    private static void many(Path path, int clients, int rounds) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                channels.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < clients; i++) {
                    channels.get(i).write(ByteBuffer.wrap(line(i, round).getBytes(StandardCharsets.US_ASCII)));
                }
                for (int i = 0; i < clients; i++) {
                    String expected = line(i, round).toUpperCase();
                    ByteBuffer reply = ByteBuffer.allocate(expected.length());
                    while (reply.hasRemaining()) {
                        if (channels.get(i).read(reply) < 0) {
                            throw new IOException("client " + i + ": the server closed the connection in round " + round);
                        }
                    }
                    String got = new String(reply.array(), StandardCharsets.US_ASCII);
                    if (!got.equals(expected)) {
                        throw new IOException("client " + i + " sent \"" + line(i, round).strip() + "\" and got back \"" + got.strip() + "\"");
                    }
                }
                if (round == 0) {
                    System.out.println("connected");
                    System.out.flush();
                    InputStream in = System.in;
                    while (in.read() != '\n') {
                        // wait for the test's go line
                    }
                }
            }
            System.out.println("ok");
        } finally {
            for (SocketChannel c : channels) {
                c.close();
            }
        }
    }

    private static String line(int client, int round) {
        return "client " + client + " round " + round + " says hello\n";
    }

    private static String readToEnd(SocketChannel c) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(4096);
        while (all.hasRemaining() && c.read(all) >= 0) {
            // until the peer closes
        }
        return new String(all.array(), 0, all.position(), StandardCharsets.UTF_8).strip();
    }
}
