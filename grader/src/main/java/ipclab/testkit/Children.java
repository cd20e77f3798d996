package ipclab.testkit;

import ipclab.support.ProcessTree;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The child processes a test started by other means than ChildJvm (ProcessBuilder, the lab's own
 * code): which are still alive, and how to end them. A lab that forgets to wait for its children
 * leaves them running, and the test must say so and clean up, so that the next test starts clean.
 */
public final class Children {

    private Children() {
    }

    /** The pids of this JVM's descendants that have not ended (or not been waited for) yet: the "before" of a test. */
    public static Set<Long> liveDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Descendants alive now that were not alive {@code before}, each as "pid (command line)" for a failure message. */
    public static List<String> newDescendants(Set<Long> before) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !before.contains(p.pid()))
                .map(p -> p.pid() + " (" + ProcessTree.describe(p, 60) + ")").toList();
    }

    /** Kills every child started since {@code before} (pids) was taken, with its tree, and waits until they are gone. */
    public static void killNewDescendants(Set<Long> before) {
        for (ProcessHandle p : ProcessHandle.current().children().toList()) {
            if (!before.contains(p.pid())) {
                ProcessTree.kill(p, Duration.ofSeconds(10));
            }
        }
    }
}
