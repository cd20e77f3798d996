package ipclab.lab07;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.testkit.Await;
import ipclab.testkit.UniqueNames;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** What the lab 07 tests share: queue names, cleanup, and reading a child's output with a deadline. */
final class TestKit {

    private TestKit() {
    }

    /** A queue name made without your code, in the form the grader's leak check recognises. */
    static String queueName(String purpose) {
        return "/" + UniqueNames.of(purpose);
    }

    /** Removes a queue the test may have created; a queue that was never made is fine. */
    static void unlinkQuietly(String name) {
        try {
            MqCalls.unlink(name);
        } catch (ErrnoException e) {
            if (!e.is(Errno.ENOENT)) {
                System.err.println("could not remove " + name + ": " + e.getMessage());
            }
        }
    }

    /** A child JVM whose stderr is captured with stdout, so a failure can quote it. */
    static ChildJvm child(String... args) {
        return ChildJvm.main(TestChild.class).args(args);
    }

    /** Runs a child to the end and returns its stdout; fails with its output when it exits non-zero. */
    static String runToEnd(Duration deadline, String... args) throws Exception {
        ChildJvm.Result result;
        try {
            result = child(args).run(deadline);
        } catch (TimeoutException e) {
            throw new AssertionError("the child '" + String.join(" ", args) + "' did not finish within " + deadline
                    + "; it was killed. Does a call block forever (a receive from an empty queue, a tailer that never moves)?", e);
        }
        if (result.exitCode() != 0) {
            throw new AssertionError("the child '" + String.join(" ", args) + "' failed with exit status "
                    + result.exitCode() + ":\n" + tail(result.stderr()) + tail(result.stdout()));
        }
        return result.stdout();
    }

    /** Reads stdout lines of a running child until one matches, or fails at the deadline. */
    static String awaitLine(ChildProcess child, BufferedReader out, Duration deadline, Predicate<String> wanted,
                            String waitingFor) throws Exception {
        return awaitLine(child, out, null, deadline, wanted, waitingFor);
    }

    /** As above, quoting the child's error output from {@code stderr} (a file it was redirected to) on failure. */
    static String awaitLine(ChildProcess child, BufferedReader out, Path stderr, Duration deadline,
                            Predicate<String> wanted, String waitingFor) throws Exception {
        CompletableFuture<String> line = Await.onNewThread("lab07-line-reader", () -> {
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            return null;
        });
        String found;
        try {
            found = line.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            child.close(); // ends the stream, so the reading thread ends too
            throw new AssertionError("waited " + deadline + " for " + waitingFor + " from " + child
                    + " and it never came", e);
        }
        if (found == null) {
            int status = child.waitFor(Duration.ofSeconds(10));
            String errors = stderr == null ? "(its error output is in the runner log)"
                    : "; its error output:\n" + tail(Files.readString(stderr));
            throw new AssertionError(child + " exited with status " + status + " before " + waitingFor + errors);
        }
        return found;
    }

    static BufferedReader stdout(ChildProcess child) {
        return new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
    }

    private static String tail(String text) {
        return text.length() <= 3000 ? text : "…" + text.substring(text.length() - 3000);
    }
}
