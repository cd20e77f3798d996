package ipclab.grader.runner;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of the runner's event log (JSON Lines, each signed: see {@link EventLog}). The grader
 * reads the log after the runner JVM has ended, whichever way it ended: every event is flushed as
 * it happens, so a crash or a {@code System.exit} in a test leaves a log that says which test was
 * running. What the tests are, and what each is worth, the parent knows from the compiled tests
 * themselves, never from this log.
 *
 * @param seq 0, 1, 2… within one runner JVM: the parent accepts them only in that order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerEvent(long seq, Kind event, String id, String status, String message) {

    public enum Kind { start, finish, container_failed, done }

    RunnerEvent withSeq(long n) {
        return new RunnerEvent(n, event, id, status, message);
    }

    static RunnerEvent start(String id) {
        return new RunnerEvent(0, Kind.start, id, null, null);
    }

    static RunnerEvent finish(String id, String status, String message) {
        return new RunnerEvent(0, Kind.finish, id, status, message);
    }

    static RunnerEvent containerFailed(String id, String message) {
        return new RunnerEvent(0, Kind.container_failed, id, null, message);
    }

    static RunnerEvent done() {
        return new RunnerEvent(0, Kind.done, null, null, null);
    }
}
