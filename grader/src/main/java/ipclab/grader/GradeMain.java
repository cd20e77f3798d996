package ipclab.grader;

import ipclab.grader.report.ConsoleReport;
import ipclab.grader.report.GradescopeReport;
import ipclab.grader.report.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The grader from the command line (the {@code ipclab grade} command runs this). The same
 * grading as {@code mvn -pl grader test}, without Maven's start-up.
 */
@Command(name = "ipclab grade", mixinStandardHelpOptions = true,
        description = "Grades the labs: compiles each on its own, runs its graded tests in a JVM of its own, "
                + "prints a table and writes grader/target/grade/results.json.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every graded test passed", "1:some points were lost", "2:the grader could not run"})
public final class GradeMain implements Callable<Integer> {

    @Option(names = "--root", description = "the repository root (default: ${DEFAULT-VALUE})", defaultValue = ".")
    Path root;

    @Option(names = "--target", defaultValue = "labs",
            description = "what to grade: labs (yours), solutions (the reference), or a folder of labNN-* folders (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--lab", split = ",", paramLabel = "N", description = "grade only these labs, e.g. --lab 2 or --lab 1,2")
    List<Integer> labs = new ArrayList<>();

    @Option(names = "--hidden", paramLabel = "DIR", description = "an instructor's folder of hidden tests (DIR/labNN/...)")
    Path hidden;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS", description = "each test's deadline (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--run-budget", defaultValue = "30", paramLabel = "MINUTES",
            description = "the whole run's time budget; labs it does not reach are reported as not graded (default: ${DEFAULT-VALUE})")
    int runBudgetMinutes;

    @Override
    public Integer call() throws Exception {
        Path repo = root.toAbsolutePath().normalize();
        Grader.Options options = Grader.Options.standard(repo, target, new HashSet<>(labs), hidden, timeoutSeconds)
                .withBudgets(Grader.Options.DEFAULT_LAB_BUDGET, java.time.Duration.ofMinutes(runBudgetMinutes));
        GradeResult result = new Grader(options).showingProgress(Progress.to(System.err, System.console() != null)).grade();
        new ConsoleReport(repo).print(result, System.out);
        Path json = options.workRoot().resolve("results.json");
        GradescopeReport.write(result, json);
        System.out.println("Report for Gradescope: " + repo.relativize(json));
        return result.score() == result.maxScore() ? 0 : 1;
    }

    public static void main(String[] args) {
        int status = new CommandLine(new GradeMain())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("ipclab grade: " + e.getMessage());
                    return 2;
                })
                .execute(args);
        System.exit(status);
    }
}
