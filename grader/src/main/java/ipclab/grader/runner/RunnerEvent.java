package ipclab.grader.runner;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One line of the runner's event log (JSON Lines). The grader reads the log after the runner JVM
 * has ended, whichever way it ended: every event is flushed as it happens, so a crash or a
 * {@code System.exit} in a test leaves a log that says which test was running.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerEvent(
        Kind event,
        String id,
        String status,
        String message,
        List<PlannedTest> tests) {

    public enum Kind { plan, start, finish, container_failed, done }

    /** A graded test as discovered: its JUnit id, names, points, handout section and visibility. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlannedTest(String id, String className, String method, String name, int points,
                              String handout, boolean hidden) {
    }

    static RunnerEvent plan(List<PlannedTest> tests) {
        return new RunnerEvent(Kind.plan, null, null, null, tests);
    }

    static RunnerEvent start(String id) {
        return new RunnerEvent(Kind.start, id, null, null, null);
    }

    static RunnerEvent finish(String id, String status, String message) {
        return new RunnerEvent(Kind.finish, id, status, message, null);
    }

    static RunnerEvent containerFailed(String id, String message) {
        return new RunnerEvent(Kind.container_failed, id, null, message, null);
    }

    static RunnerEvent done() {
        return new RunnerEvent(Kind.done, null, null, null, null);
    }
}
