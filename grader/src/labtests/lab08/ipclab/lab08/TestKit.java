package ipclab.lab08;

import static org.assertj.core.api.Assertions.fail;

import ipclab.testkit.Await;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/** What the lab 08 tests share: a child JVM connected to the test over an FdChannel, deadlines, /proc. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);

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
                client.setOutboundFileDescriptors((java.io.FileDescriptor[]) null);
                accepted.socket().setAncillaryReceiveBufferSize(1024);
                accepted.getReceivedFileDescriptors();
                org.newsclub.net.unix.FileDescriptorCast.using(client.getFileDescriptor()).as(Integer.class);
            }
        }
    }

    /**
     * A child JVM running {@link TestChild} in {@code mode}, connected to this test over an
     * {@link FdChannel} (made with the lab's given listen/accept/connect). Closing it closes the
     * channel and the listener and kills the child.
     */
    record Link(ChildProcess child, AFUNIXServerSocketChannel server, FdChannel channel, BufferedReader out) implements AutoCloseable {

        static Link start(String mode, String... extra) throws Exception {
            String name = uniqueName(mode);
            AFUNIXServerSocketChannel server = FdChannel.listen(name);
            ChildProcess child = null;
            try {
                String[] args = Stream.concat(Stream.of(mode, name), Stream.of(extra)).toArray(String[]::new);
                child = ChildJvm.main(TestChild.class).args(args).start();
                FdChannel channel = acceptFrom(server, child, "the child JVM did not connect to the test's socket");
                BufferedReader out = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
                return new Link(child, server, channel, out);
            } catch (Throwable t) {
                closeQuietly(server);
                if (child != null) {
                    child.close();
                }
                throw t;
            }
        }

        long pid() {
            return child.pid();
        }

        /** The child's next line of output, or a failure at the deadline that says what we waited for. */
        String line(String whenItHangs) throws Exception {
            String line = within(DEADLINE, whenItHangs, out::readLine);
            if (line == null) {
                fail(child + " ended before answering (its error, if any, is on stderr above): " + whenItHangs);
            }
            return line;
        }

        /** Tells the child to go on (it waits for a line on its stdin). */
        void go() throws IOException {
            OutputStream in = child.process().getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        @Override
        public void close() {
            closeQuietly(channel);
            closeQuietly(server);
            child.close();
        }
    }

    /**
     * Accepts the connection of {@code child} on {@code server}, or fails as soon as the child exits
     * without connecting (its error is on stderr), or at the deadline. On failure the server is closed.
     */
    static FdChannel acceptFrom(AFUNIXServerSocketChannel server, ChildProcess child, String whenItHangs) throws Exception {
        CompletableFuture<FdChannel> accepted = onNewThread(() -> FdChannel.accept(server));
        try {
            CompletableFuture.anyOf(accepted, child.process().onExit()).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (!accepted.isDone()) {
                fail(child + " exited with status " + child.process().exitValue() + " before it connected (its error is on stderr above): " + whenItHangs);
            }
            return await(accepted, DEADLINE, whenItHangs);
        } catch (TimeoutException e) {
            stopAccepting(server, accepted);
            return fail("still not connected after " + DEADLINE.toSeconds() + " s: " + whenItHangs);
        } catch (Throwable t) {
            stopAccepting(server, accepted);
            throw t;
        }
    }

    /**
     * Closes the server, which wakes the thread blocked in accept(2), and waits for that thread to
     * finish, so that nothing it opens or still gets outlives the test (the leak check would see it).
     */
    private static void stopAccepting(AFUNIXServerSocketChannel server, CompletableFuture<FdChannel> accepted) {
        closeQuietly(server);
        try {
            closeQuietly(accepted.get(5, TimeUnit.SECONDS));
        } catch (Exception ignored) {
            // The accept failed because we closed the server: the expected outcome.
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

    /** Runs {@code work} on a platform thread of its own ({@link Await#onNewThread}). */
    static <T> CompletableFuture<T> onNewThread(Callable<T> work) {
        return Await.onNewThread("lab08-test-worker", work);
    }

    static <T> T within(Duration deadline, String whenItHangs, Callable<T> work) throws Exception {
        return await(onNewThread(work), deadline, whenItHangs);
    }

    /** Waits for {@code target} by the deadline ({@link Await#await}). */
    static <T> T await(CompletableFuture<T> target, Duration deadline, String whenItHangs) throws Exception {
        return Await.await(target, deadline, whenItHangs);
    }

    /** What descriptor {@code fd} of process {@code pid} points at, as /proc shows it ("/tmp/x", "socket:[4711]"). */
    static String target(long pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
        } catch (IOException e) {
            return "(no descriptor " + fd + " in process " + pid + ")";
        }
    }

    /** The descriptor numbers this process has open now. */
    static List<Integer> openDescriptors() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(p -> Integer.parseInt(p.getFileName().toString()))
                    .filter(fd -> Files.exists(Path.of("/proc/self/fd/" + fd)))
                    .sorted().toList();
        }
    }
}
