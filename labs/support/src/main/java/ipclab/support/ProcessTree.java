package ipclab.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Ends a process together with everything it started, and waits until they are gone. */
public final class ProcessTree {

    private ProcessTree() {
    }

    /**
     * Sends SIGKILL to {@code root} and all its descendants, then waits up to {@code deadline} for
     * each to exit. Descendants are listed before the root dies: once it is gone, its children are
     * re-parented and can no longer be found through it.
     *
     * @return {@code true} when every process in the tree is gone within the deadline
     */
    public static boolean kill(ProcessHandle root, Duration deadline) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
        tree.forEach(ProcessHandle::destroyForcibly);
        return awaitExit(tree, deadline);
    }

    /** Waits until every process in {@code processes} has exited, or the deadline has passed. */
    public static boolean awaitExit(List<ProcessHandle> processes, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        for (ProcessHandle p : processes) {
            long left = end - System.nanoTime();
            try {
                p.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                // onExit never completes exceptionally; treat it as gone.
            }
        }
        return true;
    }

    /** The command line of a process as {@code ps} shows it, shortened to {@code max} characters. */
    public static String describe(ProcessHandle p, int max) {
        String line = p.info().commandLine().orElseGet(() -> p.info().command().orElse("?"));
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }

    /** Kills a process started with ProcessBuilder if it still runs, waits for it, and closes the JDK's pipes to it. */
    public static void end(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
        for (AutoCloseable stream : List.<AutoCloseable>of(p.getOutputStream(), p.getInputStream(), p.getErrorStream())) {
            try {
                stream.close();
            } catch (Exception ignored) {
                // Gone with the process.
            }
        }
    }
}
