package ipclab.lab10;

import ipclab.support.ChildProcess;
import java.util.concurrent.CompletableFuture;

/**
 * The master's view of one worker: its number, its process and, once the worker has connected,
 * its channel. Given code: the {@link Cluster} fills it in.
 */
public final class WorkerHandle {

    private final int id;
    private final ChildProcess process;
    private final CompletableFuture<WorkerChannel> channel = new CompletableFuture<>();
    private volatile boolean disconnecting;

    public WorkerHandle(int id, ChildProcess process) {
        this.id = id;
        this.process = process;
    }

    /** 1, 2, 3…: replacements get new numbers, like Node's {@code worker.id}. */
    public int id() {
        return id;
    }

    public long pid() {
        return process.pid();
    }

    public ChildProcess process() {
        return process;
    }

    /** Completes when the worker has connected its channel (and its peer credentials named this pid). */
    public CompletableFuture<WorkerChannel> channel() {
        return channel;
    }

    /** True once the master asked this worker to leave: it must not be restarted. */
    public boolean disconnecting() {
        return disconnecting;
    }

    public void markDisconnecting() {
        disconnecting = true;
    }

    @Override
    public String toString() {
        return "worker " + id + " (pid " + pid() + ")";
    }
}
