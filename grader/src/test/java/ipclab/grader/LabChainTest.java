package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.report.ConsoleReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Labs that build on earlier labs of the same tree (grader/src/test/fixtures, labs 70–78), as lab 11
 * builds on lab 10: the earlier lab is compiled first, from the tree being graded, even when it is not
 * graded itself; a lab built on one that cannot be used scores 0 and says why; a pom cannot name a lab
 * outside its tree, nor labs that build on each other.
 */
@DisplayName("the grader compiles a lab against the earlier labs it builds on")
class LabChainTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;
    private static final Path FIXTURES = ROOT.resolve("grader/src/test/fixtures");
    private static final Path WORK = ROOT.resolve("grader/target/fixture-chain");

    private static GradeResult result;

    @BeforeAll
    static void gradeChain() {
        // Not 70 nor 78: labs built on but not graded are compiled all the same.
        Grader.Options options = new Grader.Options(ROOT, FIXTURES.resolve("labs"), FIXTURES.resolve("labtests"),
                null, Set.of(71, 72, 73, 74, 76, 77), WORK, 10);
        result = new Grader(options).grade();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        new ConsoleReport(ROOT).print(result, new PrintStream(text, true, StandardCharsets.UTF_8));
        System.out.println(text.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("only the labs asked for are reported, not those they build on")
    void reportsGradedLabsOnly() {
        assertThat(result.labs()).extracting(l -> l.lab().number()).containsExactly(71, 72, 73, 74, 76, 77);
    }

    @Test
    @DisplayName("a lab compiles and its tests run with the earlier lab's classes, and a TODO there is shown where it is")
    void buildsOnEarlierLab() throws Exception {
        LabResult lab = result.lab(71);
        assertThat(lab.tests()).extracting(TestOutcome::passed).as(lab.tests().toString()).containsExactly(true, false);
        assertThat(lab.tests().get(1).output()).contains("not implemented yet — TODO: return the answer later",
                "at Base.later(Base.java:");
        assertThat(lab.score()).isEqualTo(60);
        assertThat(Files.exists(WORK.resolve("lab70"))).as("lab 70 was compiled, once, for lab 71").isTrue();
    }

    @Test
    @DisplayName("a lab built on one that does not compile scores 0: it builds on lab NN, which does not compile (see lab NN)")
    void earlierLabDoesNotCompile() {
        LabResult broken = result.lab(72);
        assertThat(broken.tests()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("the lab compiles"));
        LabResult lab = result.lab(73);
        assertThat(lab.score()).isZero();
        assertThat(lab.maxScore()).isEqualTo(100);
        assertThat(lab.tests()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("the labs it builds on can be used");
            assertThat(t.output()).startsWith("lab 73 builds on lab 72, which does not compile (see lab 72), so none of lab 73's tests could run");
        });
    }

    @Test
    @DisplayName("when the earlier lab is not graded in the same run, its compiler's message comes along")
    void earlierLabNotGraded() {
        LabResult lab = result.lab(77);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests()).singleElement().satisfies(t -> assertThat(t.output())
                .startsWith("lab 77 builds on lab 78, which does not compile, so none of lab 77's tests could run")
                .contains("lab78-broken-ungraded/src/main/java/ipclab/lab78/Base.java:7: error: ';' expected"));
    }

    @Test
    @DisplayName("labs whose poms build on each other are refused, naming the cycle")
    void cycle() {
        LabResult lab = result.lab(74);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("the lab's pom.xml declares what it may");
            assertThat(t.output()).contains("lab 74 → lab 75 → lab 74");
        });
    }

    @Test
    @DisplayName("a pom naming a lab outside its tree is refused")
    void outsideTheTree() {
        LabResult lab = result.lab(76);
        assertThat(lab.score()).isZero();
        assertThat(lab.tests()).singleElement().satisfies(t -> assertThat(t.output())
                .contains("declares org.ipclab:../../../../../labs/lab01-fd-table, which is not a lab beside it in labs/"));
    }
}
