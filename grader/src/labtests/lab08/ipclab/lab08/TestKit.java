package ipclab.lab08;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.Quietly;
import ipclab.testkit.UniqueNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;

/** What the lab 08 tests share: a child JVM connected to the test over an FdChannel. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);

    private TestKit() {
    }

    /**
     * A child JVM running {@link TestChild} in {@code mode}, connected to this test over an
     * {@link FdChannel} (made with the lab's given listen/accept/connect). Closing it closes the
     * channel and the listener and kills the child.
     */
    record Link(ChildProcess child, AFUNIXServerSocketChannel server, FdChannel channel, BufferedReader out) implements AutoCloseable {

        static Link start(String mode, String... extra) throws Exception {
            String name = UniqueNames.of(mode);
            AFUNIXServerSocketChannel server = FdChannel.listen(name);
            ChildProcess child = null;
            try {
                String[] args = Stream.concat(Stream.of(mode, name), Stream.of(extra)).toArray(String[]::new);
                child = ChildJvm.main(TestChild.class).args(args).start();
                FdChannel channel = acceptFrom(server, child, "the child JVM did not connect to the test's socket");
                BufferedReader out = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
                return new Link(child, server, channel, out);
            } catch (Throwable t) {
                Quietly.close(server);
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
            String line = Await.within(DEADLINE, whenItHangs, out::readLine);
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
            Quietly.close(channel);
            Quietly.close(server);
            child.close();
        }
    }

    /**
     * Accepts the connection of {@code child} on {@code server}, or fails as soon as the child exits
     * without connecting (its error is on stderr), or at the deadline. On failure the server is closed.
     */
    static FdChannel acceptFrom(AFUNIXServerSocketChannel server, ChildProcess child, String whenItHangs) throws Exception {
        CompletableFuture<FdChannel> accepted = Await.onNewThread(() -> FdChannel.accept(server));
        try {
            CompletableFuture.anyOf(accepted, child.process().onExit()).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (!accepted.isDone()) {
                fail(child + " exited with status " + child.process().exitValue() + " before it connected (its error is on stderr above): " + whenItHangs);
            }
            return Await.await(accepted, DEADLINE, whenItHangs);
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
        Quietly.close(server);
        try {
            Quietly.close(accepted.get(5, TimeUnit.SECONDS));
        } catch (Exception ignored) {
            // The accept failed because we closed the server: the expected outcome.
        }
    }
}
