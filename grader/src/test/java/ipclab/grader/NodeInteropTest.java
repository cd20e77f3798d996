package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.runner.RunProcesses;
import ipclab.support.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Lab 09's reference channel as the child of a real Node.js parent ({@code docs/bench/node_interop.js},
 * Node's own {@code child_process}): messages both ways, sockets handed over with Node's handle
 * protocol, and a child that never outlives its parent.
 */
@DisplayName("a Node parent and lab 09's Java child (NODE_CHANNEL_FD)")
class NodeInteropTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;
    private static final Path PROGRAM = ROOT.resolve("docs/bench/node_interop.js");
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    /** The Java child's command line: the reference NodeChild, compiled once. */
    private static List<String> child;

    @BeforeAll
    static void compile() throws IOException {
        ReferenceTreesTest.assumeSolutions();
        child = DemosTest.solutionMain("lab09-ipc-channel", "ipclab.lab09.NodeChild", List.of(),
                ROOT.resolve("grader/target/selftest-node-child"));
    }

    @Test
    @DisplayName("1,000 messages echoed in order, any JSON value; 100 sockets from Node's server answered; a listener sent back; exit 0 on disconnect")
    void nodeParentJavaChild() throws Exception {
        String token = UUID.randomUUID().toString();
        try {
            Run run = node("check", token);
            assertThat(run.status()).as("node_interop.js exit status; it printed:%n%s", run.output()).isZero();
            assertThat(run.output()).contains("ok   1000 messages echoed in order", "ok   any JSON value is a message",
                    "ok   100 sockets handed over and answered by the child", "ok   the child sent a listening socket back, as a net.Server",
                    "ok   Node accepts on the listener the child gave it", "ok   the child exits 0 when the parent disconnects")
                    .doesNotContain("FAIL");
            assertThat(run.output()).as("the sockets were answered by Java, not Node").containsPattern("handled by java-\\d+");
            assertThat(RunProcesses.find(token)).as("processes left running after the parent disconnected").isEmpty();
        } finally {
            RunProcesses.find(token).forEach(p -> ProcessTree.kill(p, Duration.ofSeconds(10)));
        }
    }

    @Test
    @DisplayName("a Node parent killed with SIGKILL leaves no Java child: the channel's end of stream ends it")
    void orphanedChildExits() throws Exception {
        String token = UUID.randomUUID().toString();
        try {
            assertNoOrphan(node("--orphan", token));
        } finally {
            RunProcesses.find(token).forEach(p -> ProcessTree.kill(p, Duration.ofSeconds(10)));
        }
    }

    private static void assertNoOrphan(Run run) throws Exception {
        Matcher pid = Pattern.compile("child (\\d+)").matcher(run.output());
        assertThat(pid.find()).as("the parent names its child; it printed:%n%s", run.output()).isTrue();
        assertThat(run.output()).contains("parent dies now");
        Optional<ProcessHandle> orphan = ProcessHandle.of(Long.parseLong(pid.group(1)));
        if (orphan.isPresent()) {
            try {
                orphan.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the Java child " + pid.group(1) + " outlived its Node parent by 30 s: it should read EOF "
                        + "on NODE_CHANNEL_FD and exit", e);
            }
        }
    }

    private record Run(int status, String output) {
    }

    /**
     * Runs the Node program in {@code mode} against the reference child, with {@code token} in its
     * environment (and so its child's). The Node process is killed if it overruns; what else carries
     * the token is the caller's to check, then to kill.
     */
    private static Run node(String mode, String token) throws Exception {
        List<String> command = new ArrayList<>(List.of(nodeExecutable(), PROGRAM.toString(), mode, "--"));
        command.addAll(child);
        Path output = ROOT.resolve("grader/target/selftest-node-child").resolve(mode.replace("-", "") + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(RunProcesses.TOKEN_VARIABLE, token);
        Process process = builder.start();
        try {
            boolean finished = process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as("node_interop.js %s did not finish within %s:%n%s", mode, DEADLINE, text).isTrue();
            return new Run(process.exitValue(), text);
        } finally {
            if (process.isAlive()) {
                ProcessTree.kill(process.toHandle(), Duration.ofSeconds(10));
            }
        }
    }

    /** Node is part of the course's machine; without it, this says so instead of skipping. */
    private static String nodeExecutable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) {
                return Path.of(dir, "node").toString();
            }
        }
        throw new AssertionError("node (Node.js) is not on the PATH: the interop tests need the Node parent");
    }
}
