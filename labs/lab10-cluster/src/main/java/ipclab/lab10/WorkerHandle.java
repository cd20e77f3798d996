package ipclab.lab10;

import ipclab.support.ChildProcess;

/**
 * The master's view of one worker: its number, its process and, once the worker has connected,
 * its channel. Node's {@code Worker} in {@code lib/internal/cluster/worker.js}. Given code: the
 * {@link Cluster} fills it in, on its loop.
 */
public final class WorkerHandle {

    private final int id;
    private final ChildProcess process;
    /** Set on the master's loop when the worker connects; read there too. Node: {@code worker.process.channel}. */
    private ClusterChannel channel;
    /** Node: {@code worker.exitedAfterDisconnect}, set by {@code worker.disconnect()} ({@code primary.js} 352). */
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

    /** The worker's channel once it has connected (and its peer credentials named this pid), else null. Loop thread only. */
    public ClusterChannel channel() {
        return channel;
    }

    /** Records the worker's channel. Loop thread only. */
    public void attach(ClusterChannel value) {
        channel = value;
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
