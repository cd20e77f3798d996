package ipclab.grader;

import static org.junit.jupiter.api.Assertions.fail;

import ipclab.grader.report.ConsoleReport;
import ipclab.grader.report.GradescopeReport;
import ipclab.grader.report.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * What {@code mvn -pl grader test} runs: grades the labs and reports every graded test to
 * Surefire under its own name, so the usual Surefire XML lists them too.
 *
 * <p>System properties: {@code ipclab.target} (labs, solutions or a folder; default labs),
 * {@code ipclab.lab} (e.g. 2, or 1,2), {@code ipclab.hidden} (a folder of hidden tests, relative
 * to the repository root or absolute),
 * {@code ipclab.testTimeout} (seconds per test), {@code ipclab.runBudget} (minutes for the whole run).
 */
@DisplayName("ipc-lab grade")
class GradeLabs {

    @TestFactory
    Stream<DynamicNode> grade() throws IOException {
        Path root = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();
        String target = System.getProperty("ipclab.target", "labs");
        Set<Integer> labs = Arrays.stream(System.getProperty("ipclab.lab", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).map(Integer::parseInt).collect(Collectors.toSet());
        String hidden = System.getProperty("ipclab.hidden", "");
        int timeout = Integer.getInteger("ipclab.testTimeout", 30);

        // A relative folder means relative to the repository root, where mvn is run, not to grader/.
        Path hiddenRoot = hidden.isBlank() ? null : root.resolve(hidden);
        java.time.Duration runBudget = java.time.Duration.ofMinutes(Integer.getInteger("ipclab.runBudget",
                (int) Grader.Options.DEFAULT_RUN_BUDGET.toMinutes()));
        Grader.Options options = Grader.Options.standard(root, target, labs, hiddenRoot, timeout)
                .withBudgets(Grader.Options.DEFAULT_LAB_BUDGET, runBudget);
        GradeResult result = new Grader(options).showingProgress(Progress.to(System.out, false)).grade();
        new ConsoleReport(root).print(result, System.out);
        GradescopeReport.write(result, options.workRoot().resolve("results.json"));

        return result.labs().stream().map(lab -> DynamicContainer.dynamicContainer(
                String.format("Lab %02d %s: %d/%d", lab.lab().number(), lab.lab().topic(), lab.score(), lab.maxScore()),
                lab.tests().stream().map(t -> DynamicTest.dynamicTest(t.number() + " " + t.name(), () -> {
                    if (!t.passed()) {
                        fail(t.output() + (t.handout() == null ? "" : "\n→ read the handout: " + t.handout()));
                    }
                }))));
    }
}
