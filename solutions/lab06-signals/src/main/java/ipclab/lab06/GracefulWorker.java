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
        Signal.handle(new Signal("TERM"), signal -> onTerminate());
        Signal.handle(new Signal("INT"), signal -> onTerminate());
    }

    /**
     * A request to terminate. The first stops taking jobs, prints {@code stopping: N job(s) in flight}
     * and starts the drain deadline; the status becomes 0 as soon as no job is in flight. The second
     * prints {@code forced: …} and makes the status {@link #EXIT_FORCED} at once.
     */
    public void onTerminate() {
        synchronized (lock) {
            terminateRequests++;
            if (terminateRequests > 1) {
                force("a second termination request");
                return;
            }
            say("stopping: " + inFlight + " job(s) in flight");
            if (inFlight == 0) {
                exitStatus.complete(0);
                return;
            }
        }
        CompletableFuture.delayedExecutor(drainDeadline.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> force("the drain deadline of " + drainDeadline.toMillis() + " ms passed"));
    }

    /**
     * Starts job {@code id}, which works for {@code millis} ms on a thread of its own, printing
     * {@code started ID} and then {@code done ID}; or, once termination was requested, prints
     * {@code refused ID} and starts nothing.
     *
     * @return whether the job was taken
     */
    public boolean submit(int id, long millis) {
        synchronized (lock) {
            if (terminateRequests > 0) {
                say("refused " + id);
                return false;
            }
            inFlight++; // counted before it starts, so a SIGTERM now waits for it
        }
        Thread.ofPlatform().daemon().name("job-" + id).start(() -> {
            say("started " + id);
            try {
                Thread.sleep(millis); // stands for real work
                say("done " + id);
            } catch (InterruptedException e) {
                say("interrupted " + id);
            } finally {
                finished();
            }
        });
        return true;
    }

    /** Waits until shutdown is complete (drained: 0) or forced ({@link #EXIT_FORCED}), and returns the exit status. */
    public int awaitExitStatus() throws InterruptedException {
        try {
            return exitStatus.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the exit status is never completed exceptionally", e);
        }
    }

    /** A job has ended: one fewer in flight, and perhaps the last one a shutdown was waiting for. */
    private void finished() {
        synchronized (lock) {
            inFlight--;
            if (terminateRequests > 0 && inFlight == 0) {
                exitStatus.complete(0);
            }
        }
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
