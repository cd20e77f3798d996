package ipclab.grader;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Whether the labs a lab builds on (lab 11 on lab 10) can be used by it, after everything is compiled.
 * One that cannot costs the lab on it all its points, with the reason in words: its own tests would only
 * fail for what is missing below them, each with a message about a class the student did not touch.
 */
final class EarlierLabs {

    private final Stage stage;
    private final List<Lab> graded;
    private final Map<Lab, Grader.PreparedLab> prepared;
    private final Map<String, LabCompiler.Result> compiled;
    private final Map<Lab, LabResult> notPrepared;
    private final BiFunction<String, Lab, String> shownErrors;

    /**
     * @param graded      the labs of this run's report: the others are compiled only because one is built on them
     * @param notPrepared why a lab could not even be prepared (its files, its pom), by lab
     * @param shownErrors compiler messages rewritten to name the student's files rather than the grader's copies
     */
    EarlierLabs(Stage stage, List<Lab> graded, Map<Lab, Grader.PreparedLab> prepared, Map<String, LabCompiler.Result> compiled,
                Map<Lab, LabResult> notPrepared, BiFunction<String, Lab, String> shownErrors) {
        this.stage = stage;
        this.graded = graded;
        this.prepared = prepared;
        this.compiled = compiled;
        this.notPrepared = notPrepared;
        this.shownErrors = shownErrors;
    }

    /** The result of {@code lab} when a lab it builds on cannot be used, the deepest first; {@code null} when all can. */
    LabResult brokenBy(Lab lab) throws IOException {
        for (Lab earlier : prepared.get(lab).earlier()) {
            LabCompiler.Result main = compiled.get(earlier.id() + "/lab");
            String why;
            String details;
            Optional<String> refused;
            if (main == null) {
                why = "whose files cannot be graded";
                LabResult problem = notPrepared.get(earlier);
                details = problem == null ? "" : problem.tests().getFirst().output();
            } else if (!main.ok()) {
                why = "which does not compile";
                details = shownErrors.apply(main.errors(), earlier);
            } else if ((refused = LabPolicy.check(earlier, stage.classes(earlier),
                    List.of(stage.testClasses(earlier), stage.hiddenClasses(earlier)))).isPresent()) {
                why = "which breaks the grader's rules";
                details = refused.get();
            } else {
                continue;
            }
            String message = name(lab) + " builds on " + name(earlier) + ", " + why
                    + (graded.contains(earlier) ? " (see " + name(earlier) + ")" : "")
                    + ", so none of " + name(lab) + "'s tests could run: they would fail for what is missing below them."
                    + (graded.contains(earlier) ? "" : "\n" + capitalised(name(earlier)) + ":\n" + details);
            return LabResult.broken(lab, "the labs it builds on can be used", message);
        }
        return null;
    }

    private static String name(Lab lab) {
        return "lab " + String.format("%02d", lab.number());
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
