package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.runner.RunProcesses;
import ipclab.support.ProcessTree;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference cluster server that {@code ./ipclab serve} runs, driven the way its users drive it:
 * workers come online, clients get the seed program's answer, a worker killed with SIGKILL is
 * reported in the seed program's words and replaced, and SIGTERM stops the master and every worker.
 */
@DisplayName("./ipclab serve: the reference cluster server")
class ServeTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;
    private static final String SLUG = "lab10-cluster";
    private static final Pattern CREATED = Pattern.compile("Create worker-(\\d+)");
    private static final Pattern ANSWER = Pattern.compile("Request handled by worker-(\\d+)\n?");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @ParameterizedTest(name = "--sched {0}")
    @ValueSource(strings = {"rr", "shared", "reuseport"})
    void servesRestartsAndStops(String scheduling) throws Exception {
        int port = freePort();
        String token = UUID.randomUUID().toString();
        Process server = start(token, "--port", String.valueOf(port), "--workers", "2", "--delay-ms", "0", "--sched", scheduling);
        Lines lines = new Lines(server);
        try {
            long first = Long.parseLong(lines.await(CREATED).group(1));
            long second = Long.parseLong(lines.await(CREATED).group(1));
            assertThat(first).as("two workers, two different processes").isNotEqualTo(second);

            long answeredBy = Long.parseLong(request(port).group(1));
            assertThat(List.of(first, second)).as("the answer names one of the workers the master created").contains(answeredBy);

            ProcessHandle victim = ProcessHandle.of(first).orElseThrow(() -> new AssertionError("worker " + first + " is not running"));
            victim.destroyForcibly();
            lines.await(Pattern.compile(Pattern.quote("[Master] worker " + first + " died with code: null, and SIGKILL")));
            long replacement = Long.parseLong(lines.await(CREATED).group(1));
            assertThat(replacement).as("the replacement is a new process").isNotIn(first, second);
            for (int i = 0; i < 4; i++) {
                assertThat(Long.parseLong(request(port).group(1))).as("answered by a live worker after the restart")
                        .isIn(second, replacement);
            }

            server.toHandle().destroy(); // SIGTERM, what a service manager sends
            assertThat(server.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .as("the server did not stop within %s of SIGTERM; it printed:%n%s", DEADLINE, lines.text()).isTrue();
            awaitGone(token, "the server stopped on SIGTERM"); // the master must take its workers with it
        } finally {
            ProcessTree.kill(server.toHandle(), Duration.ofSeconds(10));
            RunProcesses.find(token).forEach(p -> ProcessTree.kill(p, Duration.ofSeconds(10)));
        }
    }

    /**
     * Waits, with a deadline, for each process carrying {@code token} to end, and fails naming those
     * left running {@code after} what should have ended them.
     */
    static void awaitGone(String token, String after) throws Exception {
        CompletableFuture<?>[] exits = RunProcesses.find(token).stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(15, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Reported below, by name.
        }
        assertThat(RunProcesses.find(token).stream().map(ProcessHandle::pid).toList())
                .as("processes left running after " + after).isEmpty();
    }

    private static Matcher request(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = ANSWER.matcher(answer);
            assertThat(m.matches()).as("the seed program's answer, then EOF; got %s", answer.isEmpty() ? "nothing" : "'" + answer + "'")
                    .isTrue();
            return m;
        }
    }

    /** The reference server's command line, compiled once for every scheduling mode. */
    private static List<String> serve;

    @BeforeAll
    static void compile() throws IOException {
        ReferenceTreesTest.assumeSolutions();
        serve = DemosTest.solutionMain(SLUG, "ipclab.lab10.Serve", List.of(), ROOT.resolve("grader/target/selftest-serve"));
    }

    private static Process start(String token, String... args) throws IOException {
        List<String> command = new ArrayList<>(serve);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(RunProcesses.TOKEN_VARIABLE, token);
        return builder.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The server's output, read as it comes, so a test can wait for one line with a deadline. */
    private static final class Lines {
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final StringBuilder seen = new StringBuilder();

        Lines(Process process) {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        queue.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        Matcher await(Pattern pattern) throws InterruptedException {
            Instant end = Instant.now().plus(DEADLINE);
            while (Instant.now().isBefore(end)) {
                String line = queue.poll(Duration.between(Instant.now(), end).toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    break;
                }
                synchronized (seen) {
                    seen.append(line).append('\n');
                }
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            throw new AssertionError("the server never printed a line matching '" + pattern + "' within " + DEADLINE
                    + "; it printed:\n" + text());
        }

        String text() {
            synchronized (seen) {
                return seen.toString();
            }
        }
    }
}
