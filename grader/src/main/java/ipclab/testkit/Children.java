package ipclab.testkit;

import ipclab.support.ProcessTree;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The child processes a test started by other means than ChildJvm (ProcessBuilder, the lab's own
 * code): which are still alive, and how to end them. A lab that forgets to wait for its children
 * leaves them running, and the test must say so and clean up, so that the next test starts clean.
 */
public final class Children {

    private Children() {
    }

    /** The pids of this JVM's descendants that still run: the "before" of a test. */
    public static Set<Long> liveDescendants() {
        return ProcessHandle.current().descendants().filter(Children::running)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Descendants running now that were not running {@code before}, each as "pid (command line)" for a failure message. */
    public static List<String> newDescendants(Set<Long> before) {
        return ProcessHandle.current().descendants().filter(Children::running)
                .filter(p -> !before.contains(p.pid()))
                .map(p -> p.pid() + " (" + ProcessTree.describe(p, 60) + ")").toList();
    }

    /**
     * Kills every descendant started since {@code before} (pids) was taken, and waits (up to 10 s) until
     * each has ended. A killed orphan that was re-parented to this JVM (the runner is a subreaper) is a
     * zombie until somebody waits for it: this reaps it. The JVM's own children are left to the JDK,
     * which may have started them and waits for them itself.
     */
    public static void killNewDescendants(Set<Long> before) {
        Set<Long> ownChildren = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        List<ProcessHandle> started = ProcessHandle.current().descendants().filter(p -> !before.contains(p.pid())).toList();
        started.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProcessHandle> left = started;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left = left.stream().filter(Children::running).toList();
            if (!left.isEmpty()) {
                left.getFirst().onExit().completeOnTimeout(null, 10, TimeUnit.MILLISECONDS).join();
            }
        }
        started.stream().filter(p -> !ownChildren.contains(p.pid())).forEach(p -> Processes.reapOrphan(p.pid()));
    }

    /** Runs, or sleeps: neither gone nor a zombie. */
    private static boolean running(ProcessHandle p) {
        Processes.Stat stat = Processes.stat(p.pid());
        return stat != null && !stat.zombie();
    }
}
