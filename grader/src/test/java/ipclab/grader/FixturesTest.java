package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.report.ConsoleReport;
import ipclab.grader.report.GradescopeReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The grader against labs that misbehave on purpose (grader/src/test/fixtures): each misbehaviour
 * must cost only its own points, be reported by name, and leave nothing running.
 */
@DisplayName("the grader contains broken labs")
class FixturesTest {

    private static final Path ROOT = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();
    private static final Path FIXTURES = ROOT.resolve("grader/src/test/fixtures");
    private static final Path WORK = ROOT.resolve("grader/target/fixture-grade");

    private static GradeResult result;
    private static String console;

    @BeforeAll
    static void gradeFixtures() throws Exception {
        Grader.Options options = new Grader.Options(ROOT, FIXTURES.resolve("labs"), FIXTURES.resolve("labtests"),
                FIXTURES.resolve("hidden"), Set.of(91, 92, 93, 94), WORK, 5);
        result = new Grader(options).grade();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new ConsoleReport(ROOT).print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        console = text.toString(StandardCharsets.UTF_8);
        System.out.println(console);
        GradescopeReport.write(result, WORK.resolve("results.json"));
    }

    @Test
    @DisplayName("every broken lab is graded and reported, none stops the others")
    void everyLabIsGraded() {
        assertThat(result.labs()).extracting(l -> l.lab().number()).containsExactly(91, 92, 93, 94);
        assertThat(console).contains("lab91-does-not-compile", "lab92-hangs", "lab93-exits", "lab94-leaks");
    }

    @Test
    @DisplayName("a lab that does not compile scores 0 and shows the compiler's message with file and line")
    void doesNotCompile() {
        LabResult lab = result.lab(91);
        assertThat(lab.score()).isZero();
        assertThat(lab.maxScore()).isEqualTo(100);
        assertThat(lab.tests()).singleElement().satisfies(t -> {
            assertThat(t.number()).isEqualTo("91.0");
            assertThat(t.output()).contains("labs/lab91-does-not-compile/src/main/java/ipclab/lab91/Broken.java:7: error: ';' expected");
        });
    }

    @Test
    @DisplayName("a test that hangs fails at its deadline and the next test still runs")
    void hangs() {
        LabResult lab = result.lab(92);
        assertThat(lab.tests()).extracting(TestOutcome::name)
                .containsExactly("waiting returns", "the answer is 42", "the answer is still 42");
        assertThat(lab.tests()).extracting(TestOutcome::passed).containsExactly(false, true, true);
        assertThat(lab.tests().get(0).output()).contains("timed out after 5 seconds");
        assertThat(lab.score()).isEqualTo(50);
    }

    @Test
    @DisplayName("an instructor's hidden tests count, and only they are marked hidden")
    void hiddenTests() {
        LabResult lab = result.lab(92);
        assertThat(lab.tests()).extracting(TestOutcome::hidden).containsExactly(false, false, true);
        assertThat(lab.maxScore()).isEqualTo(110);
    }

    @Test
    @DisplayName("System.exit and a JVM crash each fail their own test; the tests after them run in a new JVM")
    void exitsAndCrashes() {
        LabResult lab = result.lab(93);
        assertThat(lab.tests()).extracting(TestOutcome::passed).containsExactly(false, false, true, false);
        assertThat(lab.tests().get(0).output()).contains("exited with status 3", "System.exit");
        assertThat(lab.tests().get(1).output()).contains("the JVM crashed during this test", "hs_err_pid");
        assertThat(lab.score()).isEqualTo(40);
    }

    @Test
    @DisplayName("leaked processes, descriptors and files fail the test that leaked them, by name, and are cleaned up")
    void leaks() {
        LabResult lab = result.lab(94);
        assertThat(lab.tests()).extracting(TestOutcome::passed).containsExactly(false, false, false, true, false);

        String processAndPipe = lab.tests().get(0).output();
        Matcher child = Pattern.compile("leaked child process (\\d+): sleep 600").matcher(processAndPipe);
        assertThat(child.find()).as(processAndPipe).isTrue();
        assertThat(ProcessHandle.of(Long.parseLong(child.group(1))).map(ProcessHandle::isAlive))
                .as("the leaked sleeper must be gone").isNotEqualTo(java.util.Optional.of(true));
        assertThat(processAndPipe).containsPattern("leaked descriptor \\d+ → pipe:\\[\\d+\\]");

        String files = lab.tests().get(1).output();
        Matcher shm = Pattern.compile("left the file (/dev/shm/ipclab-fixture-\\d+) behind").matcher(files);
        Matcher tmp = Pattern.compile("left the file (\\S+/ipclab-fixture-\\d+\\.tmp) behind").matcher(files);
        assertThat(shm.find()).as(files).isTrue();
        assertThat(tmp.find()).as(files).isTrue();
        assertThat(Path.of(shm.group(1))).doesNotExist();
        assertThat(Path.of(tmp.group(1))).doesNotExist();
        String stdout = lab.tests().get(2).output();
        assertThat(stdout).contains("left fd 1 (stdout) referring to /dev/zero", "it was put back");
        assertThat(lab.score()).isEqualTo(20);
    }

    @Test
    @DisplayName("hidden tests that do not compile, or shadow visible ones, cost the student nothing and tell the instructor why")
    void brokenHiddenTests() {
        TestOutcome notCompiling = result.lab(93).tests().getLast();
        assertThat(notCompiling.hidden()).isTrue();
        assertThat(notCompiling.maxScore()).isZero();
        assertThat(notCompiling.output()).contains("hidden tests do not compile", "noSuchMethod");
        assertThat(result.lab(93).maxScore()).isEqualTo(100);

        TestOutcome shadowing = result.lab(94).tests().getLast();
        assertThat(shadowing.hidden()).isTrue();
        assertThat(shadowing.output()).contains("reuse the names of visible ones", "LeakyTest.java");
        assertThat(result.lab(94).tests()).filteredOn(t -> !t.hidden()).hasSize(4);
    }

    @Test
    @DisplayName("a lab whose tests time out one after another stops at its time budget")
    void labBudget() {
        Grader.Options options = new Grader.Options(ROOT, FIXTURES.resolve("labs"), FIXTURES.resolve("labtests"),
                null, Set.of(95), ROOT.resolve("grader/target/fixture-budget"), 5)
                .withBudgets(java.time.Duration.ofSeconds(8), Grader.Options.DEFAULT_RUN_BUDGET);
        LabResult lab = new Grader(options).grade().lab(95);
        assertThat(lab.tests()).extracting(TestOutcome::passed).containsExactly(false, false, false);
        assertThat(lab.tests().get(0).output()).contains("timed out after 5 seconds");
        assertThat(lab.tests().get(1).output()).contains("used up its time budget of 8 s during this test");
        assertThat(lab.tests().get(2).output()).contains("not run", "time budget of 8 s");
    }

    @Test
    @DisplayName("a lab whose tests start many JVMs gets more than one budget; the others get one")
    void budgetPerLab() {
        Grader.Options options = Grader.Options.standard(ROOT, "labs", Set.of(), null, 30);
        assertThat(options.budgetOf(3)).isEqualTo(Grader.Options.DEFAULT_LAB_BUDGET);
        assertThat(options.budgetOf(11)).isEqualTo(Grader.Options.DEFAULT_LAB_BUDGET.multipliedBy(2));
    }

    @Test
    @DisplayName("results.json is in Gradescope's format, with every test numbered lab.k")
    void gradescopeReport() throws Exception {
        JsonNode json = new ObjectMapper().readTree(WORK.resolve("results.json").toFile());
        assertThat(json.get("score").asInt()).isEqualTo(result.score());
        assertThat(json.get("tests")).hasSize((int) result.labs().stream().mapToLong(l -> l.tests().size()).sum());
        for (JsonNode test : json.get("tests")) {
            assertThat(test.get("number").asText()).matches("\\d+\\.\\d+");
            assertThat(test.has("name") && test.has("score") && test.has("max_score") && test.has("output")).isTrue();
            assertThat(test.get("status").asText()).isIn("passed", "failed");
            boolean hidden = test.get("name").asText().contains("still 42") || test.get("name").asText().contains("hidden tests");
            assertThat(test.get("visibility").asText()).isEqualTo(hidden ? "hidden" : "visible");
        }
        assertThat(Files.readString(WORK.resolve("results.json"))).contains("\"93.1\"", "exited with status 3");
        assertThat(json.get("stdout_visibility").asText()).as("the console names hidden tests").isEqualTo("hidden");
    }
}
