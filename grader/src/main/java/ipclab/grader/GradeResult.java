package ipclab.grader;

import java.time.Duration;
import java.util.List;

/** Everything one grading run found. */
public record GradeResult(String target, List<LabResult> labs, Duration elapsed) {

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
