package ipclab.support;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM started by {@link ChildJvm}. Closing it kills the child and everything the child
 * started, and waits until they are gone; a shutdown hook does the same for any child still
 * running when this JVM exits normally.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Duration KILL_DEADLINE = Duration.ofSeconds(10);
    private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(ChildProcess::close), "ipclab-child-reaper"));
    }

    private final Process process;
    private final String name;

    private ChildProcess(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    static ChildProcess register(Process process, String name) {
        ChildProcess child = new ChildProcess(process, name);
        LIVE.add(child);
        return child;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Waits for the child to exit by itself.
     *
     * @return its exit code
     * @throws java.util.concurrent.TimeoutException when it is still running at the deadline (it keeps running)
     */
    public int waitFor(Duration deadline) throws InterruptedException, java.util.concurrent.TimeoutException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new java.util.concurrent.TimeoutException(
                    name + " (pid " + pid() + ") is still running after " + deadline);
        }
        return process.exitValue();
    }

    /** Kills the child and its descendants (if still running) and waits until all are gone. */
    @Override
    public void close() {
        try {
            if (process.isAlive() || process.descendants().findAny().isPresent()) {
                if (!ProcessTree.kill(process.toHandle(), KILL_DEADLINE)) {
                    System.err.println("ipclab: " + name + " (pid " + pid() + ") survived SIGKILL for " + KILL_DEADLINE);
                }
            }
            // The streams hold pipe descriptors until closed; a closed child must hold none.
            closeQuietly(process.getOutputStream());
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
        } finally {
            LIVE.remove(this);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing a pipe to a dead process can only fail because it is closed already.
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
