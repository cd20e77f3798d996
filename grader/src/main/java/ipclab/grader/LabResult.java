package ipclab.grader;

import java.util.List;
import java.util.Optional;

/** One lab's grade: its tests' outcomes, or why it could not be tested at all. */
public record LabResult(Lab lab, List<TestOutcome> tests) {

    /** The nominal worth of a lab whose tests could not even be listed (it did not compile). */
    public static final int LAB_POINTS = 100;

    public int score() {
        return tests.stream().mapToInt(TestOutcome::score).sum();
    }

    public int maxScore() {
        return tests.stream().mapToInt(TestOutcome::maxScore).sum();
    }

    public long passed() {
        return tests.stream().filter(TestOutcome::passed).count();
    }

    public Optional<TestOutcome> firstFailure() {
        return tests.stream().filter(t -> !t.passed()).findFirst();
    }

    /** A lab the run's time budget did not reach: one failed entry worth what its tests are worth. */
    static LabResult notGraded(Lab lab, List<PlannedTest> plan, String why) {
        int points = plan.stream().mapToInt(PlannedTest::points).sum();
        return new LabResult(lab, List.of(new TestOutcome(lab.number() + ".0", "the lab was graded", 0,
                points > 0 ? points : LAB_POINTS, false, why, null, false)));
    }

    /** A lab that could not be run: one failed entry worth the whole lab, saying why. */
    static LabResult broken(Lab lab, String title, String why) {
        return new LabResult(lab, List.of(new TestOutcome(lab.number() + ".0", title, 0, LAB_POINTS, false, why, null, false)));
    }
}
