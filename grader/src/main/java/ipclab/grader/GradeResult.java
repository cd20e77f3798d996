package ipclab.grader;

import java.time.Duration;
import java.util.List;

/**
 * Everything one grading run found.
 *
 * @param isolation how far student code was kept from the grader, as the report's header says it
 */
public record GradeResult(String target, List<LabResult> labs, Duration elapsed, String isolation) {

    public int score() {
        return labs.stream().mapToInt(LabResult::score).sum();
    }

    public int maxScore() {
        return labs.stream().mapToInt(LabResult::maxScore).sum();
    }

    public LabResult lab(int number) {
        return labs.stream().filter(l -> l.lab().number() == number).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("lab " + number + " was not graded"));
    }
}
