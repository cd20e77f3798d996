package ipclab.lab06;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** What the lab 06 tests share: reading a child's lines with a deadline, and the kernel's view of signals. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);

    private TestKit() {
    }

    /** The lines a child prints, read with deadlines; remembers them all so a failure can show them. */
    static final class Transcript {
        private final ChildProcess child;
        private final BufferedReader out;
        private final List<String> seen = new ArrayList<>();
        private CompletableFuture<String> pending;

        private final StringBuffer errors = new StringBuffer();
        private final Thread stderrReader;

        Transcript(ChildProcess child) {
            this.child = child;
            this.out = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
            // The child's stderr, when piped (see start): echoed, and kept so a failure can quote it.
            BufferedReader err = new BufferedReader(new InputStreamReader(child.process().getErrorStream(), StandardCharsets.UTF_8));
            stderrReader = Thread.ofPlatform().daemon().name("lab06-test-stderr").start(() -> {
                try {
                    String line;
                    while ((line = err.readLine()) != null) {
                        System.err.println("  [child " + child.pid() + "] " + line);
                        errors.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // the child is gone and its stream closed
                }
            });
        }

        /** The child's first exception line on stderr, if it threw (a TODO reads as a TODO). */
        private String thrown() {
            try {
                stderrReader.join(2_000); // a child that exited has its stderr at end of file soon
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return errors.toString().lines().filter(l -> l.contains("Exception") || l.contains("Error"))
                    .findFirst().map(l -> "\n  the child threw: " + l.strip()).orElse("");
        }

        /** The next line, or null at end of output. */
        String next(Duration deadline, String whenItHangs) throws Exception {
            if (pending == null) {
                CompletableFuture<String> line = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("lab06-test-reader").start(() -> {
                    try {
                        line.complete(out.readLine());
                    } catch (IOException e) {
                        line.complete(null); // the stream was closed: the child is gone
                    }
                });
                pending = line;
            }
            try {
                String line = pending.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
                pending = null;
                if (line != null) {
                    seen.add(line);
                }
                return line;
            } catch (TimeoutException e) {
                fail(whenItHangs + "\n  (no line from " + child + " within " + deadline.toSeconds() + " s; it printed so far: " + seen + ")" + thrown());
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Reads lines until one matches; fails at the deadline or when the child's output ends first. */
        String await(Predicate<String> wanted, String what, String whenItFails) throws Exception {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                Duration left = Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime()));
                String line = next(left, "waited for " + what + ": " + whenItFails);
                if (line == null) {
                    String status = child.process().waitFor(5, TimeUnit.SECONDS)
                            ? "exited with status " + child.process().exitValue() : "closed its stdout";
                    fail("waited for " + what + ", but the child " + status + " first: " + whenItFails
                            + "\n  (it printed: " + seen + ")" + thrown());
                }
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        /** Waits for {@code ready PID} and checks the pid is the child's. */
        void awaitReady() throws Exception {
            String ready = await(line -> line.startsWith("ready"), "the child's \"ready\" line",
                    "it did not start; did it throw?");
            if (!ready.startsWith("ready " + child.pid())) {
                fail("the child said \"" + ready + "\" but its pid is " + child.pid());
            }
        }

        List<String> seen() {
            return List.copyOf(seen);
        }
    }

    /** Starts a child with its stderr piped, for a {@link Transcript} to read. */
    static ChildProcess start(Class<?> main, String... args) throws IOException {
        return ChildJvm.main(main).args(args).redirectError(ProcessBuilder.Redirect.PIPE).start();
    }

    /** A mask of /proc/PID/status decoded here, independently of the student's code. */
    static Set<Integer> mask(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                long bits = Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
                Set<Integer> signals = new TreeSet<>();
                for (int bit = 0; bit < 64; bit++) {
                    if ((bits & (1L << bit)) != 0) {
                        signals.add(bit + 1);
                    }
                }
                return signals;
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }
}
