package ipclab.lab05;

import static org.assertj.core.api.Assertions.fail;

import ipclab.testkit.Await;
import ipclab.testkit.Children;
import ipclab.support.ChildProcess;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/** What the lab 05 tests share: deadlines, child processes, and the kernel's own view of sockets. */
final class TestKit {

    private TestKit() {
    }

    /** A name no other run uses at the same time: for abstract socket names. */
    static String uniqueName(String what) {
        return "ipclab-test-" + what + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /**
     * junixsocket opens a descriptor of its own the first time it is used, and keeps it for the
     * life of the JVM. Open it here, before a test's leak check starts, so it is not counted as the test's.
     */
    static void warmUpJunixsocket() throws IOException {
        String name = uniqueName("warm-up");
        try (AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open()) {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            try (AFUNIXSocketChannel client = AFUNIXSocketChannel.open(AFUNIXSocketAddress.inAbstractNamespace(name));
                 AFUNIXSocketChannel accepted = server.accept()) {
                accepted.getPeerCredentials();
                client.isConnected();
            }
        }
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
        CompletableFuture<SocketChannel> accepted = onNewThread(server::accept);
        try {
            return await(accepted, deadline, whenItHangs);
        } catch (Throwable t) {
            server.close(); // wakes the accepting thread; a connection it still gets is closed below
            accepted.thenAccept(TestKit::closeQuietly);
            throw t;
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // Closing in a cleanup path: the test has failed already or is about to.
        }
    }

    /** One line of a child's stdout, or a failure at the deadline. */
    static String readLine(ChildProcess child, BufferedReader out, Duration deadline, String whenItHangs) throws Exception {
        String line = within(deadline, whenItHangs, out::readLine);
        if (line == null) {
            fail(child + " closed its stdout early (did it fail? its errors are on stderr): " + whenItHangs);
        }
        return line;
    }

    static BufferedReader stdout(ChildProcess child) {
        return new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
    }

    /** Waits until {@code condition} holds, checking every 10 ms, or fails with {@code otherwise} at the deadline. */
    static void eventually(Duration deadline, BooleanSupplier condition, String otherwise) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail(otherwise);
            }
            Thread.sleep(10);
        }
    }

    /** The pids of this JVM's descendants that are alive now. */
    static Set<Long> liveDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Kills every child started since {@code before} was taken ({@link Children#killNewDescendants}). */
    static void killNewDescendants(Set<Long> before) {
        Children.killNewDescendants(before);
    }

    /** Runs {@code work} on a platform thread of its own ({@link Await#onNewThread}). */
    static <T> CompletableFuture<T> onNewThread(Callable<T> work) {
        return Await.onNewThread("lab05-test-worker", work);
    }

    static <T> T within(Duration deadline, String whenItHangs, Callable<T> work) throws Exception {
        return await(onNewThread(work), deadline, whenItHangs);
    }

    /** Waits for {@code target} by the deadline ({@link Await#await}). */
    static <T> T await(CompletableFuture<T> target, Duration deadline, String whenItHangs) throws Exception {
        return Await.await(target, deadline, whenItHangs);
    }

    /** The inode of a socket descriptor of this process, from /proc/self/fd ("socket:[4711]"), or -1. */
    static long socketInode(int fd) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return link.startsWith("socket:[") ? Long.parseLong(link.substring(8, link.length() - 1)) : -1;
        } catch (IOException e) {
            return -1;
        }
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

    static byte[] randomBytes(int count, long seed) {
        byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Fails with a short message (not a dump of megabytes) when the two arrays differ. */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        if (Arrays.equals(actual, expected)) {
            return;
        }
        int at = Arrays.mismatch(actual, expected);
        String detail = at < Math.min(actual.length, expected.length)
                ? "; the first difference is at byte " + at + " (expected " + (expected[at] & 0xff) + ", got " + (actual[at] & 0xff) + ")"
                : "; the first " + at + " bytes match";
        fail(what + ": expected " + expected.length + " bytes, got " + actual.length + detail);
    }
}
