package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.runner.RunProcesses;
import ipclab.support.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ipclab launcher: the commands that need no build (it finds a JDK of the course's release, knows
 * every lab, and checks its options before it starts anything), and {@code ./ipclab pm}, which builds
 * lab 11 and starts a daemon.
 */
class LauncherTest {

    @Test
    @DisplayName("./ipclab --help lists the commands")
    void help() throws Exception {
        Run run = ipclab("--help");
        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("grade [N[,N]]", "demo NAME", "bench NAME", "serve [OPTIONS]", "pm ARGS", "console", "student-tree DIR");
    }

    @Test
    @DisplayName("./ipclab list names every lab with its demo")
    void list() throws Exception {
        Run run = ipclab("list");
        assertThat(run.status()).as(run.output()).isZero();
        for (String slug : ReferenceTreesTest.labSlugs("labs")) {
            assertThat(run.output()).contains(slug, "./ipclab demo " + slug.substring(6));
        }
    }

    @Test
    @DisplayName("an unknown command is refused with the usage and status 2")
    void unknownCommand() throws Exception {
        Run run = ipclab("frobnicate");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.output()).contains("unknown command 'frobnicate'", "Usage: ./ipclab");
    }

    @Test
    @DisplayName("--help, list and student-tree need no JDK; grade names the release it did not find")
    void noJdkNeededToLookAround(@TempDir Path course) throws Exception {
        // A course written for a release no machine has: only the commands that run Java may notice.
        Path root = ReferenceTreesTest.ROOT;
        Files.copy(root.resolve("ipclab"), course.resolve("ipclab"));
        Tree.copy(root.resolve("scripts"), course.resolve("scripts"));
        Files.writeString(course.resolve("pom.xml"), Files.readString(root.resolve("pom.xml"))
                .replaceFirst("<ipclab\\.java\\.release>\\d+<", "<ipclab.java.release>99<"));
        for (String slug : ReferenceTreesTest.labSlugs("labs")) {
            Files.createDirectories(course.resolve("labs").resolve(slug));
            Files.copy(root.resolve("labs").resolve(slug).resolve("README.md"), course.resolve("labs").resolve(slug).resolve("README.md"));
        }
        assertThat(ipclab(course, "--help").status()).isZero();
        Run list = ipclab(course, "list");
        assertThat(list.status()).as(list.output()).isZero();
        assertThat(list.output()).contains("lab01-fd-table");
        Run grade = ipclab(course, "grade", "1");
        assertThat(grade.status()).isEqualTo(2);
        assertThat(grade.output()).contains("no JDK 99 found");
    }

    @Test
    @DisplayName("an option without its value is refused by name, before anything is built")
    void missingOptionValue() throws Exception {
        for (List<String> args : List.of(List.of("grade", "--hidden"), List.of("grade", "--timeout", "--solutions"),
                List.of("grade", "--run-budget"))) {
            Run run = ipclab(args.toArray(String[]::new));
            assertThat(run.status()).as(run.output()).isEqualTo(2);
            assertThat(run.output()).contains(args.get(1) + " needs a value").doesNotContain("unbound variable", "building");
        }
        Run bench = ipclab("bench", "--help");
        assertThat(bench.status()).isEqualTo(2);
        assertThat(bench.output()).contains("bench: which lab?").doesNotContain("no lab called");
    }

    @Test
    @DisplayName("./ipclab pm ping starts the reference daemon in IPCLAB_PM_HOME, ./ipclab pm kill stops it, and no process is left")
    void processManager(@TempDir Path root) throws Exception {
        ReferenceTreesTest.assumeSolutions();
        // The daemon inherits pm's environment, so the token finds it: it is no child of ours once pm exits.
        String token = UUID.randomUUID().toString();
        Map<String, String> environment = Map.of("IPCLAB_PM_HOME", root.resolve("home").toString(), RunProcesses.TOKEN_VARIABLE, token);
        try {
            Run ping = ipclab(ReferenceTreesTest.ROOT, environment, BUILD_DEADLINE, "pm", "ping");
            assertThat(ping.status()).as(ping.output()).isZero();
            assertThat(ping.output()).contains("running solutions/lab11-process-manager").containsPattern("daemon \\d+, up \\d+ ms, home "
                    + root.resolve("home"));
            assertThat(RunProcesses.find(token)).as("the daemon runs once pm ping has exited").isNotEmpty();

            Run kill = ipclab(ReferenceTreesTest.ROOT, environment, BUILD_DEADLINE, "pm", "kill");
            assertThat(kill.status()).as(kill.output()).isZero();
            assertThat(kill.output()).containsPattern("daemon \\d+ stopped");
            ServeTest.awaitGone(token, "pm kill");
            assertThat(root.resolve("home/rpc.sock")).as("rpc.sock after pm kill").doesNotExist();
            assertThat(root.resolve("home/pm.pid")).as("pm.pid after pm kill").doesNotExist();
        } finally {
            RunProcesses.find(token).forEach(p -> ProcessTree.kill(p, Duration.ofSeconds(10)));
        }
    }

    /** How long a command may take when it first builds a lab (and what the lab builds on) with Maven. */
    private static final Duration BUILD_DEADLINE = Duration.ofSeconds(240);

    private record Run(int status, String output) {
    }

    private static Run ipclab(String... args) throws IOException, InterruptedException {
        return ipclab(ReferenceTreesTest.ROOT, args);
    }

    private static Run ipclab(Path root, String... args) throws IOException, InterruptedException {
        return ipclab(root, Map.of(), Duration.ofSeconds(60), args);
    }

    private static Run ipclab(Path root, Map<String, String> environment, Duration deadline, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("ipclab").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process p = builder.start();
        // Read on another thread: a daemon that kept our pipe open would otherwise hold readAllBytes past the deadline.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(reading its output: " + e.getMessage() + ")";
            }
        });
        if (!p.waitFor(deadline.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("ipclab " + String.join(" ", args) + " did not finish in " + deadline.toSeconds() + " s:\n"
                    + output.getNow("(nothing yet)"));
        }
        try {
            return new Run(p.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new AssertionError("ipclab " + String.join(" ", args) + " exited " + p.exitValue()
                    + ", but its output stayed open: did a process it started keep its stdout?", e);
        }
    }
}
