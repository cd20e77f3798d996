package ipclab.grader.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import ipclab.grader.GradeResult;
import ipclab.grader.LabResult;
import ipclab.grader.TestOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code results.json} in the format Gradescope's autograder reads (and GitHub Classroom scripts
 * can read too): a total score and one entry per test with number, name, score, max_score,
 * status, output and visibility.
 */
public final class GradescopeReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GradescopeReport() {
    }

    public static void write(GradeResult result, Path file) throws IOException {
        List<Map<String, Object>> tests = new ArrayList<>();
        for (LabResult lab : result.labs()) {
            for (TestOutcome t : lab.tests()) {
                Map<String, Object> test = new LinkedHashMap<>();
                test.put("number", t.number());
                test.put("name", String.format("Lab %02d · %s", lab.lab().number(), t.name()));
                test.put("score", t.score());
                test.put("max_score", t.maxScore());
                test.put("status", t.passed() ? "passed" : "failed");
                test.put("output", t.output() + (t.passed() || t.handout() == null ? "" : "\nRead the handout: " + t.handout()));
                test.put("visibility", t.hidden() ? "hidden" : "visible");
                test.put("tags", List.of(lab.lab().slug()));
                tests.add(test);
            }
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("score", result.score());
        root.put("max_score", result.maxScore());
        root.put("execution_time", result.elapsed().toSeconds());
        root.put("output", "ipc-lab: " + result.score() + "/" + result.maxScore() + " points over "
                + result.labs().size() + " lab(s) of " + result.target() + "\n" + result.isolation());
        root.put("visibility", "visible");
        // The console report names every test, hidden ones too: keep it from students when there are any.
        boolean anyHidden = result.labs().stream().flatMap(l -> l.tests().stream()).anyMatch(TestOutcome::hidden);
        root.put("stdout_visibility", anyHidden ? "hidden" : "visible");
        root.put("tests", tests);
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), root);
    }
}
