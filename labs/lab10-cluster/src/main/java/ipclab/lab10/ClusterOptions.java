package ipclab.lab10;

import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link Cluster} needs to know before it forks.
 *
 * @param workers     how many workers to keep running
 * @param host        the address to listen on (the course only uses loopback, 127.0.0.1)
 * @param port        the TCP port; 0 lets the kernel choose one ({@link Cluster#port()} tells which)
 * @param scheduling  how connections reach the workers
 * @param delay       how long a worker waits before it answers (the seed program's "work")
 * @param restart     fork a replacement when a worker dies (not when it was disconnected on purpose)
 * @param workerMain  the main class each worker JVM runs: {@link ClusterWorker} unless a test swaps it
 * @param workerArgs  extra arguments for the worker's main
 */
public record ClusterOptions(int workers, String host, int port, Scheduling scheduling, Duration delay,
                             boolean restart, Class<?> workerMain, List<String> workerArgs) {

    public static final String LOOPBACK = "127.0.0.1";

    public ClusterOptions {
        if (workers < 1) {
            throw new IllegalArgumentException("a cluster needs at least one worker, not " + workers);
        }
        workerArgs = List.copyOf(workerArgs);
    }

    /** The seed program's defaults: one worker per CPU, 127.0.0.1, port 0, round-robin, 10 ms, restart on. */
    public static ClusterOptions defaults() {
        return new ClusterOptions(Runtime.getRuntime().availableProcessors(), LOOPBACK, 0, Scheduling.RR,
                Duration.ofMillis(10), true, ClusterWorker.class, List.of());
    }

    public ClusterOptions withWorkers(int value) {
        return new ClusterOptions(value, host, port, scheduling, delay, restart, workerMain, workerArgs);
    }

    public ClusterOptions withPort(int value) {
        return new ClusterOptions(workers, host, value, scheduling, delay, restart, workerMain, workerArgs);
    }

    public ClusterOptions withScheduling(Scheduling value) {
        return new ClusterOptions(workers, host, port, value, delay, restart, workerMain, workerArgs);
    }

    public ClusterOptions withDelay(Duration value) {
        return new ClusterOptions(workers, host, port, scheduling, value, restart, workerMain, workerArgs);
    }

    public ClusterOptions withRestart(boolean value) {
        return new ClusterOptions(workers, host, port, scheduling, delay, value, workerMain, workerArgs);
    }

    public ClusterOptions withWorkerMain(Class<?> main, String... args) {
        return new ClusterOptions(workers, host, port, scheduling, delay, restart, main, List.of(args));
    }
}
