package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.report.ConsoleReport;
import ipclab.grader.report.GradescopeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The graded tests against the two trees that bound them: the reference solutions must earn
 * every point, the untouched skeletons none. A test that cannot fail, or cannot pass, shows up here.
 */
@DisplayName("the graded tests against the reference trees")
class ReferenceTreesTest {

    static final Path ROOT = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();

    /**
     * Skips the calling test in a student tree, which has no solutions/ (see {@code ./ipclab
     * student-tree}): there the suite checks the skeletons, the fixtures and the launcher alone.
     */
    static void assumeSolutions() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(ROOT.resolve("solutions")),
                "this is a student tree without solutions/: the checks of the reference solutions are skipped");
    }

    static GradeResult grade(String target) {
        Path work = ROOT.resolve("grader/target/selftest-" + target);
        Grader.Options standard = Grader.Options.standard(ROOT, target, Set.of(), null, 60);
        Grader.Options options = new Grader.Options(standard.root(), standard.labsRoot(), standard.testsRoot(),
                null, Set.of(), work, standard.timeoutSeconds());
        GradeResult result = new Grader(options).grade();
        new ConsoleReport(ROOT).print(result, System.out);
        try {
            GradescopeReport.write(result, work.resolve("results.json"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return result;
    }

    static List<String> labSlugs(String tree) throws IOException {
        try (Stream<Path> folders = Files.list(ROOT.resolve(tree))) {
            return folders.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d{2}-.*")).sorted().toList();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("solutions/")
    class Solutions {

        GradeResult result;

        @BeforeAll
        void gradeSolutions() {
            assumeSolutions();
            result = grade("solutions");
        }

        @Test
        @DisplayName("earn every point of every lab")
        void fullMarks() {
            for (LabResult lab : result.labs()) {
                assertThat(lab.score()).as(lab.lab().slug() + ": " + lab.firstFailure().map(TestOutcome::output).orElse(""))
                        .isEqualTo(lab.maxScore());
            }
            assertThat(result.labs()).extracting(l -> l.lab().slug()).containsExactlyElementsOf(uncheckedSlugs("solutions"));
        }

        @Test
        @DisplayName("each lab's graded tests are worth exactly 100 points, every test some")
        void hundredPointsPerLab() {
            for (LabResult lab : result.labs()) {
                assertThat(lab.maxScore()).as(lab.lab().slug()).isEqualTo(100);
                assertThat(lab.tests()).as(lab.lab().slug() + ": every test carries @Graded with points")
                        .allSatisfy(t -> assertThat(t.maxScore()).isPositive());
            }
        }

        @Test
        @DisplayName("every test points at a section its handout really has")
        void handoutSectionsExist() throws IOException {
            for (LabResult lab : result.labs()) {
                String handout = Files.readString(lab.lab().handout());
                for (TestOutcome t : lab.tests()) {
                    assertThat(handout).as(lab.lab().slug() + " " + t.number() + " points at a heading of README.md")
                            .containsPattern("(?m)^#+ " + java.util.regex.Pattern.quote(t.handout()) + "\\s*$");
                }
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("labs/ (untouched skeletons)")
    class Skeletons {

        GradeResult result;

        @BeforeAll
        void gradeSkeletons() {
            result = grade("labs");
        }

        @Test
        @DisplayName("compile, and earn no point in any lab")
        void noMarks() {
            assertThat(result.labs()).extracting(l -> l.lab().slug()).containsExactlyElementsOf(uncheckedSlugs("labs"));
            for (LabResult lab : result.labs()) {
                assertThat(lab.tests()).as(lab.lab().slug() + " compiled and its tests ran")
                        .noneMatch(t -> t.number().endsWith(".0"));
                assertThat(lab.score()).as(lab.lab().slug()).isZero();
            }
        }

        @Test
        @DisplayName("get a complete report: every test listed in results.json with the reason it failed")
        void completeReport() throws IOException {
            JsonNode json = new ObjectMapper().readTree(ROOT.resolve("grader/target/selftest-labs/results.json").toFile());
            long tests = result.labs().stream().mapToLong(l -> l.tests().size()).sum();
            assertThat(json.get("tests")).hasSize((int) tests);
            for (JsonNode test : json.get("tests")) {
                assertThat(test.get("status").asText()).isEqualTo("failed");
                assertThat(test.get("output").asText()).as(test.get("name").asText()).isNotBlank();
            }
        }

        @Test
        @DisplayName("say what to do: most failures name the TODO, thrown here or quoted from a child process")
        void failuresNameTheTodo() {
            for (LabResult lab : result.labs()) {
                long todo = lab.tests().stream().filter(t -> t.output().contains("TODO: ")).count();
                assertThat(todo).as(lab.lab().slug() + ": tests failing on a TODO").isGreaterThanOrEqualTo(lab.tests().size() / 2);
            }
        }
    }

    @Test
    @DisplayName("solutions/ mirrors labs/ file for file")
    void mirrorRule() throws IOException {
        assumeSolutions();
        assertThat(labSlugs("solutions")).isEqualTo(labSlugs("labs"));
        for (String slug : labSlugs("labs")) {
            assertThat(sources(ROOT.resolve("solutions").resolve(slug))).as(slug)
                    .isEqualTo(sources(ROOT.resolve("labs").resolve(slug)));
        }
    }

    @Test
    @DisplayName("a skeleton file without a TODO is given code, identical in solutions/")
    void givenCodeIsIdentical() throws IOException {
        assumeSolutions();
        for (String slug : labSlugs("labs")) {
            Path skeleton = ROOT.resolve("labs").resolve(slug).resolve("src/main");
            for (String file : sources(ROOT.resolve("labs").resolve(slug))) {
                String text = Files.readString(skeleton.resolve(file));
                if (!text.contains("TODO")) {
                    assertThat(text).as(slug + "/" + file + " has no TODO, so it must equal its solution twin")
                            .isEqualTo(Files.readString(ROOT.resolve("solutions").resolve(slug).resolve("src/main").resolve(file)));
                }
            }
        }
    }

    private static List<String> uncheckedSlugs(String tree) {
        try {
            return labSlugs(tree);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> sources(Path module) throws IOException {
        Path main = module.resolve("src/main");
        try (Stream<Path> walk = Files.walk(main)) {
            return walk.filter(Files::isRegularFile).map(p -> main.relativize(p).toString()).sorted().toList();
        }
    }
}
