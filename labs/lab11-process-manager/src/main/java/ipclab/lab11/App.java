package ipclab.lab11;

import ipclab.lab10.WorkerHandle;
import ipclab.support.loop.Timer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the supervisor knows of one app between its runs: pm2 keeps the same in the app's
 * {@code pm2_env} ({@code status}, {@code restart_time}, {@code pm_uptime}, {@code unstable_restarts},
 * {@code prev_restart_delay}). Plain fields, on the loop thread only. Given code.
 */
final class App {

    final AppSpec spec;
    /** Cluster mode: the worker slot, 0 to instances − 1; fork mode: {@code null}. */
    final Integer instance;
    /** Cluster mode: the cluster this slot belongs to; fork mode: {@code null}. */
    final ClusterApp cluster;
    /** Cluster mode: the slot's worker while it runs, else {@code null}. */
    WorkerHandle worker;
    Status status = Status.LAUNCHING;
    /** The pid of the last process started, for events about its end. */
    long lastPid;
    /** Fork mode: the run under way, or the last one; {@code null} before the first spawn. */
    ForkApp process;
    /** What the restart policy remembers; reset by a start or restart by hand. */
    History history = History.NONE;
    /** Starts after an exit, by the policy ({@code restart_time}). */
    int restarts;
    /** The number of the current launch since the last start by hand: 1 the first time. */
    int attempt;
    /** When the current process was spawned ({@code pm_uptime}), by {@link System#nanoTime()}. */
    long startedNanos;
    /** How the last process ended, or {@code null}. */
    ExitInfo lastExit;
    /** Why it is errored, or {@code null}. */
    String reason;
    /** The pending restart while it waits out its delay, or {@code null}. */
    Timer restartTimer;
    /** When that restart is due, by {@link System#nanoTime()}. */
    long restartDueNanos;
    /** Told once a stop under way has finished. */
    final List<Runnable> whenStopped = new ArrayList<>();

    /** A fork-mode app. */
    App(AppSpec spec) {
        this(spec, null, null);
    }

    /** One slot of a cluster-mode app. */
    App(AppSpec spec, Integer instance, ClusterApp cluster) {
        this.spec = spec;
        this.instance = instance;
        this.cluster = cluster;
    }

    /** The pid of the running process, or 0. */
    long pid() {
        if (cluster != null) {
            return worker != null ? worker.pid() : 0;
        }
        return process != null && process.exit().isEmpty() ? process.pid() : 0;
    }

    /** This app's line of {@code pm list}. */
    ProcessInfo info() {
        long now = System.nanoTime();
        long pid = pid();
        return new ProcessInfo(spec.name(), instance, spec.mode(), pid, status, restarts,
                pid != 0 ? (now - startedNanos) / 1_000_000 : 0,
                lastExit == null ? null : lastExit.code(), lastExit == null ? null : lastExit.signal(), reason, cluster != null ? cluster.port() : 0,
                restartTimer != null && restartTimer.isPending() ? Math.max(0, (restartDueNanos - now) / 1_000_000) : 0);
    }
}
