package ipclab.lab08;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.ScratchFolder;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;

/**
 * Lab 08 live: a file descriptor travels to a child JVM, both descriptor tables are shown before
 * and after, the two processes share one offset, kcmp(2) confirms it, and finally a listening
 * socket is handed to a worker that answers a client with its own pid.
 *
 * <pre>./ipclab demo fd-passing [--no-pause]</pre>
 */
public final class Demo {

    private static final String CONTENT = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n";

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        long me = ProcessHandle.current().pid();
        try (ScratchFolder dir = ScratchFolder.create("ipclab-lab08-demo-")) {
            passAFile(n, me, Files.writeString(dir.resolve("shared.txt"), CONTENT));
            passAListener(n, dir.resolve("cluster.sock"));
        }
    }

    private static void passAFile(Narrator n, long me, Path file) throws Exception {
        String name = uniqueName("demo");
        try (AFUNIXServerSocketChannel server = FdChannel.listen(name);
             ChildProcess child = ChildJvm.main(Receiver.class).args(name).start();
             FdChannel channel = FdChannel.accept(server)) {
            BufferedReader childOut = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
            FileInputStream in = new FileInputStream(file.toFile());
            int ours = Descriptors.number(in.getFD());
            in.readNBytes(10);

            n.step("Two processes, connected by a Unix socket");
            n.say("We (pid " + me + ") opened " + file + " as descriptor " + ours + " and read 10 bytes: our offset is 10.");
            n.shell("sh", "-c", "ls -l /proc/" + me + "/fd/" + ours + "; grep pos /proc/" + me + "/fdinfo/" + ours);
            n.say("The child (pid " + child.pid() + ") has never opened the file. Its descriptor table:");
            n.shell("ls", "-l", "/proc/" + child.pid() + "/fd");

            n.step("sendmsg(2) with SCM_RIGHTS [" + ours + "]");
            channel.send("file".getBytes(StandardCharsets.UTF_8), in.getFD());
            int theirs = Integer.parseInt(childOut.readLine().substring("fd ".length()));
            n.say("The child's recvmsg(2) got a NEW descriptor, number " + theirs + ", installed by the kernel:");
            n.shell("sh", "-c", "ls -l /proc/" + child.pid() + "/fd | grep shared.txt; grep pos /proc/" + child.pid() + "/fdinfo/" + theirs);
            n.say("Its pos is 10: our offset. One open file description, two descriptor numbers, two processes.");

            n.step("kcmp(2) asks the kernel directly");
            n.say("kcmp(" + me + ", " + child.pid() + ", KCMP_FILE, " + ours + ", " + theirs + ") says: "
                    + (Descriptors.sameOpenFile(me, ours, child.pid(), theirs) ? "the same open file description" : "different"));
            try (FileInputStream again = new FileInputStream(file.toFile())) {
                int other = Descriptors.number(again.getFD());
                n.say("A second open(2) of the same path (our descriptor " + other + ") is "
                        + (Descriptors.sameOpenFile(me, other, child.pid(), theirs) ? "the same" : "a different description, with its own offset"));
            }

            n.step("The child reads 5 bytes; our offset moves");
            tell(child, "read 5");
            n.say("The child read \"" + childOut.readLine() + "\"; our offset now: " + Libc.lseek(ours, 0, Libc.SEEK_CUR));

            n.step("We close our copy; the child's still works");
            in.close();
            n.shell("sh", "-c", "ls -l /proc/" + me + "/fd | grep shared.txt || echo '(no shared.txt among our descriptors any more)'");
            tell(child, "read rest");
            n.say("The child read \"" + childOut.readLine() + "\" through its own descriptor.");
            tell(child, "exit");
            child.waitFor(java.time.Duration.ofSeconds(10));
        }
    }

    private static void passAListener(Narrator n, Path socketPath) throws Exception {
        String name = uniqueName("worker");
        n.step("A listening socket handed to a worker");
        try (AFUNIXServerSocketChannel control = FdChannel.listen(name);
             ChildProcess worker = ChildJvm.main(Worker.class).args(name, "1").start();
             FdChannel channel = FdChannel.accept(control)) {
            try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                listener.bind(UnixDomainSocketAddress.of(socketPath));
                n.say("We bound " + socketPath + " and pass the listener to worker " + worker.pid() + ", then close our copy.");
                channel.send("listener".getBytes(StandardCharsets.UTF_8), Descriptors.of(listener));
            }
            n.say("The worker says: " + channel.receive(64).text().strip());
            n.shell("ls", "-l", "/proc/" + worker.pid() + "/fd");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
                ByteBuffer answer = ByteBuffer.allocate(256);
                while (client.read(answer) >= 0) {
                    // until the worker closes the connection
                }
                n.say("A client connected to " + socketPath + " and got: " + new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8).strip());
            }
            worker.waitFor(java.time.Duration.ofSeconds(10));
        }
    }

    private static void tell(ChildProcess child, String command) throws IOException {
        OutputStream in = child.process().getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static String uniqueName(String what) {
        return "ipclab-lab08-" + what + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** The demo's child: receives one file descriptor, reports its number, then reads when told. */
    public static final class Receiver {

        private Receiver() {
        }

        public static void main(String[] args) throws IOException {
            try (FdChannel channel = FdChannel.connect(args[0])) {
                Received message = channel.receive(64);
                FileDescriptor fd = message.descriptors().getFirst();
                System.out.println("fd " + Descriptors.number(fd));
                System.out.flush();
                BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                try (FileInputStream in = new FileInputStream(fd)) {
                    String command;
                    while ((command = commands.readLine()) != null && !command.equals("exit")) {
                        byte[] bytes = command.equals("read 5") ? in.readNBytes(5) : in.readAllBytes();
                        System.out.println(new String(bytes, StandardCharsets.UTF_8).strip());
                        System.out.flush();
                    }
                }
            }
        }
    }
}
