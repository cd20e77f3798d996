package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.report.ConsoleReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests of what a lab gives the labs after it ({@code grader/src/test/given/labNN}: lab 10's
 * cluster as labs 11 and 12 drive it), run against the reference solutions the way graded tests
 * run: compiled against the lab, isolated, under a deadline, checked for leaks. They are worth no
 * points to a student: given code is not graded, but it must keep working for the labs that use it.
 */
@DisplayName("the given code later labs build on, against the reference solutions")
class GivenCodeTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;
    private static final Path GIVEN = ROOT.resolve("grader/src/test/given");

    @Test
    @DisplayName("passes every test")
    void passes() throws IOException {
        ReferenceTreesTest.assumeSolutions();
        Set<Integer> labs;
        try (Stream<Path> folders = Files.list(GIVEN)) {
            labs = folders.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d{2}"))
                    .map(n -> Integer.parseInt(n.substring(3))).collect(Collectors.toSet());
        }
        Grader.Options options = new Grader.Options(ROOT, ROOT.resolve("solutions"), GIVEN, null, labs,
                ROOT.resolve("grader/target/selftest-given"), 60);
        GradeResult result = new Grader(options).grade();
        new ConsoleReport(ROOT).print(result, System.out);
        assertThat(result.labs()).extracting(l -> l.lab().number()).containsExactlyInAnyOrderElementsOf(labs);
        for (LabResult lab : result.labs()) {
            assertThat(lab.tests()).as(lab.lab().slug() + ": its tests compiled and ran").noneMatch(t -> t.number().endsWith(".0"));
            for (TestOutcome test : lab.tests()) {
                assertThat(test.passed()).as(lab.lab().slug() + " " + test.name() + ": " + test.output()).isTrue();
            }
        }
    }
}
