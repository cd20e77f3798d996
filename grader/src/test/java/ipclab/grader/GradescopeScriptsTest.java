package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.runner.Entries;
import ipclab.support.Libc;
import ipclab.testkit.Trees;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Gradescope scripts as Gradescope runs them, as root, on a fake {@code /autograder} in a
 * temporary folder: the course tree without solutions/, a submission whose lab 01 is the untouched
 * skeleton plus a JUnit plugin that skips every test body, and whose lab 02 is the reference
 * solution, and a hidden lab 02 test that always fails. The plugin must earn nothing, the hidden
 * test must fail, and nothing of the run may be left.
 */
@DisplayName("the Gradescope scripts against a submission that plugs into JUnit")
class GradescopeScriptsTest {

    private static final Path ROOT = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();
    private static final Path FIXTURE = ROOT.resolve("grader/src/test/fixtures/gradescope");

    private static Path autograder;
    private static Set<String> tmpBefore;
    private static JsonNode results;
    private static String log;

    @BeforeAll
    static void runAutograder() throws Exception {
        assumeTrue(Libc.geteuid() == 0, "Gradescope runs its scripts as root; so must this test");
        ReferenceTreesTest.assumeSolutions(); // the submission's lab 02 is the reference solution
        autograder = Files.createTempDirectory("ipclab-autograder-");
        copyCourse(autograder.resolve("source/ipc-lab"));
        Tree.copy(FIXTURE.resolve("hidden"), autograder.resolve("source/hidden"));
        Path submission = autograder.resolve("submission/labs");
        Tree.copy(ROOT.resolve("labs/lab01-fd-table/src"), submission.resolve("lab01-fd-table/src"));
        Tree.copy(FIXTURE.resolve("plugin"), submission.resolve("lab01-fd-table/src/main/resources"));
        Files.move(submission.resolve("lab01-fd-table/src/main/resources/SkipBodies.java"),
                submission.resolve("lab01-fd-table/src/main/java/ipclab/lab01/SkipBodies.java"));
        Tree.copy(ROOT.resolve("solutions/lab02-pipes/src"), submission.resolve("lab02-pipes/src"));
        Files.copy(ROOT.resolve("docs/instructor-guide/gradescope/run_autograder"), autograder.resolve("run_autograder"));

        tmpBefore = Entries.names(Path.of("/tmp"));
        Path output = autograder.resolve("run_autograder.log");
        ProcessBuilder builder = new ProcessBuilder("bash", autograder.resolve("run_autograder").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("AUTOGRADER", autograder.toString());
        builder.environment().put("LABS", "1,2");
        Process script = builder.start();
        try {
            assertThat(script.waitFor(8, TimeUnit.MINUTES)).as("run_autograder ended").isTrue();
        } finally {
            ipclab.support.ProcessTree.kill(script.toHandle(), java.time.Duration.ofSeconds(10));
        }
        log = Files.readString(output);
        System.out.println(log);
        results = new ObjectMapper().readTree(autograder.resolve("results/results.json").toFile());
    }

    @AfterAll
    static void removeAutograder() throws IOException {
        if (autograder != null) {
            Trees.delete(autograder);
        }
    }

    @Test
    @DisplayName("the plugged-in lab scores 0, the solution keeps its 100, the hidden test fails")
    void pluginEarnsNothing() {
        assertThat(results.get("score").asInt()).as(log).isEqualTo(100);
        assertThat(results.get("max_score").asInt()).isEqualTo(205);
        List<JsonNode> tests = new ArrayList<>();
        results.get("tests").forEach(tests::add);
        assertThat(tests).filteredOn(t -> t.get("number").asText().equals("1.0")).singleElement()
                .satisfies(t -> assertThat(t.get("output").asText()).contains("ships META-INF/services"));
        assertThat(tests).filteredOn(t -> t.get("visibility").asText().equals("hidden")).singleElement()
                .satisfies(t -> assertThat(t.get("status").asText()).isEqualTo("failed"));
        assertThat(results.get("stdout_visibility").asText()).isEqualTo("hidden");
    }

    @Test
    @DisplayName("the student's code ran as an unprivileged user, and nothing of it is left")
    void isolatedAndClean() throws IOException {
        assertThat(results.get("output").asText()).contains("isolated: student code runs as");
        Set<String> left = Entries.names(Path.of("/tmp"));
        left.removeAll(tmpBefore);
        assertThat(left).noneMatch(n -> n.startsWith("ipclab-grade-"));
    }

    /** The course as students get it: the tracked and new files of this tree, without solutions/ and build output. */
    private static void copyCourse(Path into) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "-C", ROOT.toString(), "ls-files", "-z", "--cached", "--others", "--exclude-standard")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).isZero();
        for (String file : listing.split("\0")) {
            if (file.isEmpty() || file.startsWith("solutions/")) {
                continue;
            }
            Path from = ROOT.resolve(file);
            if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                continue; // deleted in the working tree
            }
            Path to = into.resolve(file);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
