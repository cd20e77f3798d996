package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.report.ConsoleReport;
import ipclab.grader.report.GradescopeReport;
import ipclab.grader.runner.Entries;
import ipclab.support.Libc;
import ipclab.testkit.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The grader against labs written to beat it (grader/src/test/fixtures, labs 80–90), graded in one
 * run with a finished lab (99) after them: each attack earns nothing or is reported, the finished
 * lab keeps every point, the report is written and true, and nothing of the run is left running
 * or lying in /dev/shm, /dev/mqueue or /tmp.
 */
@DisplayName("the grader against hostile labs")
class HostileLabsTest {

    private static final Path ROOT = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();
    private static final Path FIXTURES = ROOT.resolve("grader/src/test/fixtures");
    private static final Path WORK = ROOT.resolve("grader/target/hostile-grade");
    /** Student code runs as another user only when the grader is root (as in CI). */
    private static final boolean ISOLATED = Libc.geteuid() == 0;

    private static GradeResult result;
    private static Set<String> tmpBefore;

    @BeforeAll
    static void gradeHostileLabs() throws Exception {
        tmpBefore = Entries.names(Path.of("/tmp"));
        Set<Integer> labs = new HashSet<>(Set.of(80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 99));
        if (ISOLATED) {
            labs.add(90); // the fork bomb, only where the grader bounds the student user's processes
        }
        Grader.Options options = new Grader.Options(ROOT, FIXTURES.resolve("labs"), FIXTURES.resolve("labtests"),
                null, labs, WORK, 5);
        result = new Grader(options).grade();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new ConsoleReport(ROOT).print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        System.out.println(text.toString(StandardCharsets.UTF_8));
        GradescopeReport.write(result, WORK.resolve("results.json"));
    }

    @Test
    @DisplayName("the finished lab graded after every attack keeps full marks, and the report lists every lab")
    void healthyLabKeepsItsMarks() throws IOException {
        assertThat(result.lab(99).score()).as(result.lab(99).tests().toString()).isEqualTo(100);
        JsonNode json = new ObjectMapper().readTree(WORK.resolve("results.json").toFile());
        assertThat(json.get("tests")).hasSize((int) result.labs().stream().mapToLong(l -> l.tests().size()).sum());
        assertThat(json.get("score").asInt()).isEqualTo(result.score());
        assertThat(result.isolation()).startsWith(ISOLATED ? "isolated: student code runs as " : "not isolated");
    }

    @Test
    @DisplayName("a class named like a graded test, or in the grader's packages, refuses the lab")
    void shadowingClassesAreRefused() {
        LabResult lab = result.lab(81);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests().getFirst().output()).contains("the grader refused this lab",
                "defines ipclab.lab81.WorkTest, a class of the graded tests",
                "defines ipclab.support.Helper in the package ipclab.support");
    }

    @Test
    @DisplayName("a library class shadowed by a source file among the lab's resources refuses the lab")
    void sourcesAmongResourcesAreRefused() {
        LabResult lab = result.lab(80);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests().getFirst().output())
                .contains("ships org/assertj/core/api/Assertions.java among its resources");
    }

    @Test
    @DisplayName("a JUnit extension registered through META-INF/services and junit-platform.properties refuses the lab")
    void junitPluginsAreRefused() {
        LabResult lab = result.lab(82);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests().getFirst().output()).contains(
                "ships META-INF/services/org.junit.jupiter.api.extension.Extension", "ships junit-platform.properties");
    }

    @Test
    @DisplayName("events forged into the runner's log make the lab an integrity failure worth nothing")
    void forgedEventsAreCaught() {
        LabResult lab = result.lab(83);
        assertThat(lab.score()).isZero();
        assertThat(lab.maxScore()).isEqualTo(100);
        assertThat(lab.tests().getFirst().output()).contains("integrity failure", "signature is wrong");
    }

    @Test
    @DisplayName("a lab cannot change another lab's compiled tests")
    void tamperingFindsNothingToChange() throws IOException {
        assumeTrue(ISOLATED, "only an unprivileged student user is kept from the grader's files");
        assertThat(Files.readString(WORK.resolve("lab84/runner-1.log"))).contains("lab 84 changed: []");
    }

    @Test
    @DisplayName("processes started in a new session without the run token are found, reported and killed")
    void escapedProcessesAreKilled() {
        String output = result.lab(86).tests().getFirst().output();
        assertThat(output).contains("leaked child process").contains("sleep 3141").contains("sleep 2718");
        assertThat(processesWith("sleep 3141", "sleep 2718")).as("still running after the run").isEmpty();
    }

    @Test
    @DisplayName("objects left in /dev/shm, /dev/mqueue and /tmp under names of the student's choosing are reported and removed")
    void leftoversByAnyName() {
        String output = result.lab(87).tests().getFirst().output();
        List<String> leftovers = Stream.of("/dev/shm/student-shm-", "/tmp/student-fifo-", "/tmp/student-sock-",
                        "/var/tmp/student-vfifo-")
                .map(prefix -> find(output, prefix)).toList();
        if (Files.isDirectory(Path.of("/dev/mqueue"))) {
            leftovers = Stream.concat(leftovers.stream(), Stream.of(find(output, "/dev/mqueue/student-queue-"))).toList();
        }
        assertThat(output).contains("left the FIFO /tmp/student-fifo-", "left the socket file /tmp/student-sock-");
        assertThat(leftovers).allSatisfy(p -> assertThat(Path.of(p)).doesNotExist());
    }

    @Test
    @DisplayName("folder trees deeper than PATH_MAX are reported and removed, and the report is still written")
    void deepTrees() {
        String output = result.lab(85).tests().getFirst().output();
        String inShm = find(output, "/dev/shm/student-deep-");
        assertThat(output).contains("left the folder " + inShm + " behind — it was removed")
                .containsPattern("left the folder \\S+/student-deep-\\d+ behind — it was removed");
        assertThat(Path.of(inShm)).doesNotExist();
    }

    @Test
    @DisplayName("a symbolic link or a folder named Old.java in the lab's sources refuses the lab, not the run")
    void oddFilesRefuseTheLab() {
        LabResult lab = result.lab(88);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests().getFirst().output()).contains("src/main/resources/dangling is a symbolic link",
                "Old.java is a folder named like a source file");
    }

    @Test
    @DisplayName("a flood of output stops the test that floods, the log stays bounded, and the next tests run")
    void outputIsBounded() throws IOException {
        LabResult lab = result.lab(89);
        assertThat(lab.tests()).extracting(TestOutcome::passed).containsExactly(false, false, true);
        assertThat(lab.tests().getFirst().output()).contains("printed more than 4 MiB");
        assertThat(Files.size(WORK.resolve("lab89/runner-1.log"))).isLessThan(IsolatedTestRun.MAX_OUTPUT_BYTES + 1024);
        // A failure inside the test kit is the test's, not the student's: no frame of it is shown as theirs.
        assertThat(lab.tests().get(1).output()).contains("expected the answer 42").doesNotContain("FloodKit");
    }

    @Test
    @DisplayName("a fork bomb costs its own lab, and nothing of it is left")
    void forkBomb() {
        assumeTrue(ISOLATED, "the fork bomb runs only where the student user's processes are bounded");
        assertThat(result.lab(90).score()).isZero();
        assertThat(processesWith("b() {")).isEmpty();
    }

    @Test
    @DisplayName("nothing of the run is left in /tmp")
    void nothingLeftInTmp() {
        Set<String> left = Entries.names(Path.of("/tmp"));
        left.removeAll(tmpBefore);
        assertThat(left).noneMatch(name -> name.startsWith("ipclab-") || name.startsWith("student-") || name.equals("target"));
    }

    @Test
    @DisplayName("labs the run's time budget does not reach are reported as not graded")
    void runBudget() {
        Grader.Options options = new Grader.Options(ROOT, FIXTURES.resolve("labs"), FIXTURES.resolve("labtests"),
                null, Set.of(92, 99), ROOT.resolve("grader/target/hostile-budget"), 5)
                .withBudgets(Grader.Options.DEFAULT_LAB_BUDGET, Duration.ofMillis(1));
        GradeResult late = new Grader(options).grade();
        assertThat(late.labs()).allSatisfy(lab -> {
            assertThat(lab.score()).isZero();
            assertThat(lab.tests().getFirst().output()).contains("not graded: the run's time budget");
        });
        assertThat(late.lab(99).maxScore()).isEqualTo(100);
    }

    private static String find(String output, String prefix) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + "\\d+").matcher(output);
        assertThat(m.find()).as(prefix + " in\n" + output).isTrue();
        return m.group();
    }

    /** Live processes whose command line contains any of the marks. */
    private static List<Long> processesWith(String... marks) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(p -> {
            String cmdline = String.join(" ", Processes.commandLine(p.pid()));
            return Stream.of(marks).anyMatch(cmdline::contains);
        }).map(ProcessHandle::pid).toList();
    }
}
