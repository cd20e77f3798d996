package ipclab.lab05;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import ipclab.testkit.Quietly;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the lab 05 tests share: plain JDK listeners, a child's lines, and the kernel's own view of sockets. */
final class TestKit {

    private TestKit() {
    }

    /** A plain JDK listener on {@code path}, made without your code. The caller removes the file. */
    static ServerSocketChannel rawListener(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            return server.bind(UnixDomainSocketAddress.of(path), 512);
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    /** accept(2) on its own thread, with a deadline, so a client that never comes cannot hang the test. */
    static SocketChannel acceptWithin(ServerSocketChannel server, Duration deadline, String whenItHangs) throws Exception {
        CompletableFuture<SocketChannel> accepted = Await.onNewThread(server::accept);
        try {
            return Await.await(accepted, deadline, whenItHangs);
        } catch (Throwable t) {
            server.close(); // wakes the accepting thread; a connection it still gets is closed below
            accepted.thenAccept(Quietly::close);
            throw t;
        }
    }

    /** One line of a child's stdout, or a failure at the deadline. */
    static String readLine(ChildProcess child, BufferedReader out, Duration deadline, String whenItHangs) throws Exception {
        String line = Await.within(deadline, whenItHangs, out::readLine);
        if (line == null) {
            fail(child + " closed its stdout early (did it fail? its errors are on stderr): " + whenItHangs);
        }
        return line;
    }

    static BufferedReader stdout(ChildProcess child) {
        return new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
    }

    /** The inode of a socket descriptor of this process, from /proc/self/fd ("socket:[4711]"), or -1. */
    static long socketInode(int fd) {
        String link = FdTargets.target(fd);
        return link != null && link.startsWith("socket:[") ? Long.parseLong(link.substring(8, link.length() - 1)) : -1;
    }

    /** The lines of /proc/net/unix: every Unix socket the kernel knows, with its type, state, inode and name. */
    static List<String> procNetUnix() throws IOException {
        return Files.readAllLines(Path.of("/proc/net/unix"));
    }

    /** The Type column of /proc/net/unix for a socket inode: 1 stream, 2 datagram, 5 seqpacket; -1 when not listed. */
    static int unixSocketType(long inode) throws IOException {
        for (String line : procNetUnix()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7 && f[6].equals(Long.toString(inode))) {
                return Integer.parseInt(f[4], 16);
            }
        }
        return -1;
    }
}
