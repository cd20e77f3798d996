package ipclab.testkit;

import ipclab.support.ProcessTree;
import java.time.Duration;
import java.util.Set;

/** Cleaning up child processes a test started by other means than ChildJvm (ProcessBuilder, a lab's own code). */
public final class Children {

    private Children() {
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
