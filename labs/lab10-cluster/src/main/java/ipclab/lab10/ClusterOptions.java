package ipclab.lab10;

import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link Cluster} needs to know before it forks.
 *
 * @param workers       how many workers to keep running
 * @param host          the address to listen on (the course only uses loopback, 127.0.0.1)
 * @param port          the TCP port; 0 lets the kernel choose one ({@link Cluster#port()} tells which)
 * @param scheduling    how connections reach the workers
 * @param delay         how long a worker waits before it answers (the seed program's "work")
 * @param restart       fork a replacement when a worker dies (not when it was disconnected on purpose)
 * @param workerMain    the main class each worker JVM runs: {@link ClusterWorker} unless a test swaps it
 * @param workerArgs    extra arguments for the worker's main
 * @param workerOut     where a worker's standard output goes: the master's own (inherited) unless a
 *                      process manager collects it. Node: {@code stdio} and {@code silent} of
 *                      {@code cluster.setupPrimary} ({@code lib/internal/cluster/primary.js} 62&ndash;67, 136)
 * @param workerErr     where a worker's standard error goes, likewise
 * @param workerJvmArgs JVM options for each worker, after the course's own ({@code -Xmx64m}, {@code -Dname=value}).
 *                      Node: {@code execArgv} of {@code cluster.setupPrimary} ({@code primary.js} 120&ndash;135)
 */
public record ClusterOptions(int workers, String host, int port, Scheduling scheduling, Duration delay,
                             boolean restart, Class<?> workerMain, List<String> workerArgs,
                             Redirect workerOut, Redirect workerErr, List<String> workerJvmArgs) {

    public static final String LOOPBACK = "127.0.0.1";

    public ClusterOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("a cluster needs at least one worker, not " + workers);
        }
        workerArgs = List.copyOf(workerArgs);
        workerJvmArgs = List.copyOf(workerJvmArgs);
    }

    /**
     * The seed program's defaults: one worker per CPU, 127.0.0.1, port 0, round-robin, 10 ms, restart
     * on; the workers write to the master's own standard output and error.
     */
    public static ClusterOptions defaults() {
        return new ClusterOptions(Runtime.getRuntime().availableProcessors(), LOOPBACK, 0, Scheduling.RR,
                Duration.ofMillis(10), true, ClusterWorker.class, List.of(), Redirect.INHERIT, Redirect.INHERIT, List.of());
    }

    public ClusterOptions withWorkers(int value) {
        return new ClusterOptions(value, host, port, scheduling, delay, restart, workerMain, workerArgs, workerOut, workerErr, workerJvmArgs);
    }

    public ClusterOptions withPort(int value) {
        return new ClusterOptions(workers, host, value, scheduling, delay, restart, workerMain, workerArgs, workerOut, workerErr, workerJvmArgs);
    }

    public ClusterOptions withScheduling(Scheduling value) {
        return new ClusterOptions(workers, host, port, value, delay, restart, workerMain, workerArgs, workerOut, workerErr, workerJvmArgs);
    }

    public ClusterOptions withDelay(Duration value) {
        return new ClusterOptions(workers, host, port, scheduling, value, restart, workerMain, workerArgs, workerOut, workerErr, workerJvmArgs);
    }

    public ClusterOptions withRestart(boolean value) {
        return new ClusterOptions(workers, host, port, scheduling, delay, value, workerMain, workerArgs, workerOut, workerErr, workerJvmArgs);
    }

    public ClusterOptions withWorkerMain(Class<?> main, String... args) {
        return new ClusterOptions(workers, host, port, scheduling, delay, restart, main, List.of(args), workerOut, workerErr, workerJvmArgs);
    }

    /** Where the workers' standard output and error go: a file, a FIFO a process manager reads, {@link Redirect#DISCARD}. */
    public ClusterOptions withWorkerOutput(Redirect out, Redirect err) {
        return new ClusterOptions(workers, host, port, scheduling, delay, restart, workerMain, workerArgs, out, err, workerJvmArgs);
    }

    /** JVM options for each worker, such as a heap limit or a system property. */
    public ClusterOptions withWorkerJvmArgs(List<String> args) {
        return new ClusterOptions(workers, host, port, scheduling, delay, restart, workerMain, workerArgs, workerOut, workerErr, args);
    }
}
