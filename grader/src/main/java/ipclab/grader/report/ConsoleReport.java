package ipclab.grader.report;

import ipclab.grader.GradeResult;
import ipclab.grader.LabResult;
import ipclab.grader.TestOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The table a student reads after grading: a line per lab with its score and its first failure
 * (with where in the handout to look), then every failed test with the reason.
 */
public final class ConsoleReport {

    private final Path root;

    public ConsoleReport(Path root) {
        this.root = root;
    }

    public void print(GradeResult result, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "ipc-lab grade · %s · %d lab%s · %.1f s%n", result.target(), result.labs().size(),
                result.labs().size() == 1 ? "" : "s", result.elapsed().toMillis() / 1000.0);
        out.println(result.isolation());
        out.println();
        out.printf("  %-22s %9s %7s   %s%n", "lab", "score", "tests", "first failure");
        for (LabResult lab : result.labs()) {
            String tests = lab.passed() + "/" + lab.tests().size();
            String first = lab.firstFailure().map(t -> t.number() + " " + t.name()).orElse("");
            out.printf("  %-22s %9s %7s   %s%n", lab.lab().slug(), lab.score() + "/" + lab.maxScore(), tests, shorten(first, 70));
            lab.firstFailure().filter(t -> t.handout() != null).map(this::whereToLook).ifPresent(hint -> out.printf("  %-22s %9s %7s   %s%n", "", "", "", hint));
        }
        out.printf("  %-22s %9s%n", "total", result.score() + "/" + result.maxScore());

        boolean header = false;
        for (LabResult lab : result.labs()) {
            for (TestOutcome t : lab.tests()) {
                if (t.passed()) {
                    continue;
                }
                if (!header) {
                    out.println();
                    out.println("What failed, and why:");
                    header = true;
                }
                out.println();
                out.printf("  %s %s  (0/%d)%s%n", t.number(), t.name(), t.maxScore(), t.hidden() ? "  [hidden test]" : "");
                t.output().lines().forEach(line -> out.println("      " + line));
                if (t.handout() != null) {
                    out.println("      " + whereToLook(t));
                }
            }
        }
        out.println();
    }

    private String whereToLook(TestOutcome t) {
        if (t.handout() == null) {
            return "";
        }
        String lab = t.number().substring(0, t.number().indexOf('.'));
        return "→ read " + handoutPath(Integer.parseInt(lab)) + ", \"" + t.handout() + "\"";
    }

    private String handoutPath(int lab) {
        try (var folders = java.nio.file.Files.list(root.resolve("labs"))) {
            String prefix = String.format(Locale.ROOT, "lab%02d-", lab);
            return folders.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).findFirst()
                    .map(n -> "labs/" + n + "/README.md").orElse("the lab's README.md");
        } catch (java.io.IOException e) {
            return "the lab's README.md";
        }
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
