package ipclab.grader.runner;

import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Logs each test's start and end, and after each test asks the {@link LeakGuard} what it left
 * behind: a test that passed but leaked fails, naming its leaks.
 */
final class GradingListener implements TestExecutionListener {

    private final EventLog log;
    private final LeakGuard guard;
    private final Failures failures;

    GradingListener(EventLog log, LeakGuard guard, Failures failures) {
        this.log = log;
        this.guard = guard;
        this.failures = failures;
    }

    @Override
    public void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            guard.before();
            log.write(RunnerEvent.start(test.getUniqueId()));
        }
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (test.isTest()) {
            log.write(RunnerEvent.finish(test.getUniqueId(), "skipped", "skipped: " + reason));
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && result.getThrowable().isPresent()) {
                log.write(RunnerEvent.containerFailed(test.getUniqueId(), failures.describe(result.getThrowable().get())));
            }
            return;
        }
        List<String> leaks = guard.after();
        String failure = result.getThrowable().map(failures::describe).orElse(null);
        boolean passed = result.getStatus() == TestExecutionResult.Status.SUCCESSFUL && leaks.isEmpty();
        StringBuilder message = new StringBuilder();
        if (failure != null) {
            message.append(failure);
        } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            message.append("aborted: an assumption of the test did not hold");
        }
        for (String leak : leaks) {
            message.append(message.isEmpty() ? "" : "\n").append(leak);
        }
        log.write(RunnerEvent.finish(test.getUniqueId(), passed ? "passed" : "failed",
                message.isEmpty() ? null : message.toString()));
    }
}
