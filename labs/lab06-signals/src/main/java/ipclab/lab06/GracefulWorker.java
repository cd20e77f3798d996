package ipclab.lab06;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * A worker that shuts down gracefully. Jobs come in on stdin ({@code job ID MILLIS}). On the first
 * SIGTERM (or SIGINT) it stops taking jobs, lets the jobs in flight finish, and exits 0. A second
 * SIGTERM, or the drain deadline passing, forces it to exit at once with {@link #EXIT_FORCED}.
 *
 * <p>What it prints, one line each: {@code ready PID}, {@code started ID}, {@code done ID},
 * {@code refused ID}, {@code stopping: N job(s) in flight}, {@code forced: <why>}, {@code exit STATUS}.
 *
 * <pre>GracefulWorker [DRAIN_DEADLINE_MILLIS]</pre>
 */
public final class GracefulWorker {

    /** The exit status when shutdown was forced before the jobs in flight finished. */
    public static final int EXIT_FORCED = 3;

    private final Duration drainDeadline;
    private final PrintStream out;
    private final Object lock = new Object();
    private int inFlight;           // guarded by lock
    private int terminateRequests;  // guarded by lock
    private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();

    public GracefulWorker(Duration drainDeadline, PrintStream out) {
        this.drainDeadline = drainDeadline;
        this.out = out;
    }

    /** Installs handlers so that SIGTERM and SIGINT call {@link #onTerminate()} instead of ending the JVM. */
    public void installSignalHandlers() {
        throw new UnsupportedOperationException("TODO: Signal.handle(new Signal(\"TERM\"), ...) and INT so both call onTerminate() instead of ending the JVM");
    }

    /**
     * A request to terminate. The first stops taking jobs, prints {@code stopping: N job(s) in flight}
     * and starts the drain deadline; the status becomes 0 as soon as no job is in flight. The second
     * prints {@code forced: …} and makes the status {@link #EXIT_FORCED} at once.
     */
    public void onTerminate() {
        throw new UnsupportedOperationException("TODO: first call: stop taking jobs, print \"stopping: N job(s) in flight\", start the drain deadline; second call: force(...)");
    }

    /**
     * Starts job {@code id}, which works for {@code millis} ms on a thread of its own, printing
     * {@code started ID} and then {@code done ID}; or, once termination was requested, prints
     * {@code refused ID} and starts nothing.
     *
     * @return whether the job was taken
     */
    public boolean submit(int id, long millis) {
        throw new UnsupportedOperationException("TODO: refuse after termination was requested, else count the job in flight and run it on its own thread");
    }

    /** Waits until shutdown is complete (drained: 0) or forced ({@link #EXIT_FORCED}), and returns the exit status. */
    public int awaitExitStatus() throws InterruptedException {
        throw new UnsupportedOperationException("TODO: wait for exitStatus: 0 once drained, EXIT_FORCED when forced");
    }

    /** A job has ended: one fewer in flight, and perhaps the last one a shutdown was waiting for. */
    private void finished() {
        throw new UnsupportedOperationException("TODO: count the job out; when termination was requested and none is left, complete exitStatus with 0");
    }

    private void force(String why) {
        if (exitStatus.complete(EXIT_FORCED)) {
            say("forced: " + why);
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    public static void main(String[] args) throws Exception {
        Duration deadline = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 10_000);
        GracefulWorker worker = new GracefulWorker(deadline, System.out);
        Dispositions.stopIgnoring(SignalName.TERM, SignalName.INT); // `cmd &` starts us with SIGINT ignored
        worker.installSignalHandlers();
        Thread.ofPlatform().daemon().name("job-reader").start(() -> readJobs(worker));
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        int status = worker.awaitExitStatus();
        System.out.println("exit " + status);
        System.out.flush();
        System.exit(status);
    }

    /** Reads {@code job ID MILLIS} lines from stdin until it ends. */
    private static void readJobs(GracefulWorker worker) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.strip().split("\\s+");
                if (words.length == 3 && words[0].equals("job")) {
                    worker.submit(Integer.parseInt(words[1]), Long.parseLong(words[2]));
                } else if (!line.isBlank()) {
                    System.err.println("worker: not a job line: " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("worker: reading jobs failed: " + e);
        }
    }
}
