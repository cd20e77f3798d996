package ipclab.lab11;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Timer;
import ipclab.support.loop.Watch;
import ipclab.support.proc.PidFd;
import ipclab.support.proc.Spawn;
import ipclab.support.proc.WaitStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One run of a fork-mode app: its process, the leader of a process group of its own, watched through
 * a pidfd on the daemon's loop. pm2's {@code lib/God/ForkMode.js}, which spawns with
 * {@code detached: true} (a group of its own too) but then signals pids, never the group.
 *
 * <p>A stop, and the end of a leader that exited on its own, treat the group as one: a signal to
 * {@code -pgid}, SIGKILL after the kill timeout, and done only when no process of the group runs.
 * Used on the loop thread only.
 */
public final class ForkApp {

    /** How often a stop looks whether the group is empty: {@code kill(-pgid, 0)} has no descriptor to watch. */
    static final Duration GROUP_POLL = Duration.ofMillis(50);

    private final EventLoop loop;
    private final AppSpec spec;
    /** The leader's pid, which is also the group's id (SETPGROUP). Node's {@code subprocess.pid}. */
    private final int pid;
    /** Readable once the leader has exited; ours to close. */
    private final int pidFd;
    /** Told once, when the leader has been reaped. Node's {@code 'exit'} event. */
    private final Consumer<ExitInfo> onExit;
    private Watch watch;
    /** How the leader ended, once reaped; {@code null} while it runs. Node's {@code exitCode}/{@code signalCode}. */
    private ExitInfo exit;
    /** Run when the leader is reaped and the group is empty: the stops and the clean-up under way. */
    private final List<Runnable> whenGone = new ArrayList<>();
    private boolean clearing;
    private Timer killTimer;
    private Timer pollTimer;

    private ForkApp(EventLoop loop, AppSpec spec, int pid, int pidFd, Consumer<ExitInfo> onExit) {
        this.loop = loop;
        this.spec = spec;
        this.pid = pid;
        this.pidFd = pidFd;
        this.onExit = onExit;
    }

    /**
     * Starts {@code spec}'s command: a process group of its own, this daemon's environment plus the
     * spec's, stdin {@code /dev/null}, stdout and stderr into two pipes whose read ends go to
     * {@code logs}, in the spec's directory (the home when it has none); then watches its pidfd, so
     * that {@link #onExit} runs when it ends.
     *
     * @param onExit told how the leader ended, once it is reaped
     * @throws IOException from posix_spawn (ENOENT: no such program), pipe2 or pidfd_open
     */
    public static ForkApp launch(EventLoop loop, AppSpec spec, Home home, LogBook logs, Consumer<ExitInfo> onExit) throws IOException {
        throw new UnsupportedOperationException("TODO: two pipes (pipe2 O_CLOEXEC) and /dev/null (stdin); Spawn.spawn the command with this environment plus spec.env(), in spec.cwd() or the home, stdout and stderr the pipes' write ends, flags SETPGROUP|CLEAN_SIGNALS; PidFd.open the pid at once and watch it READABLE on the loop with onExit; make the read ends O_NONBLOCK and give them to logs.attach (out, err); close our write ends and /dev/null (handout, step 5)");
    }

    /**
     * The pidfd is readable: the leader has exited. Reaps it, stops watching, and tells the
     * supervisor how it ended. What is left of its group (children it left behind) gets SIGTERM, and
     * SIGKILL after the kill timeout, so that restarts never pile up orphans.
     */
    void onExit() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: PidFd.reap the leader (empty: not yet, keep watching); cancel the watch, close the pidfd, turn the WaitStatus into an ExitInfo; unless a stop is clearing the group, clear what is left of it with SIGTERM; tell onExit; then checkGone() (handout, step 5)");
    }

    /**
     * Stops the app: the kill signal to the whole group, SIGKILL after the kill timeout, and
     * {@code done} once the leader is reaped and no process of the group runs.
     */
    public void stop(Runnable done) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: remember done; unless the group is being cleared already, clear it with spec.killSignalNumber(); then checkGone(), and poll() again if it says no and no poll is pending: done runs once the leader is reaped and the group is empty (handout, step 5)");
    }

    /** The leader's pid, also the group's id. */
    public int pid() {
        return pid;
    }

    /** How the leader ended, once reaped; empty while it runs. */
    public Optional<ExitInfo> exit() {
        return Optional.ofNullable(exit);
    }

    /** {@code signal} to the group now, SIGKILL at the kill timeout, and a look every {@link #GROUP_POLL}. */
    private void clear(int signal) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: ProcessGroup.signal(pid, signal), schedule SIGKILL to the group after spec.killTimeoutMs(), and poll()");
    }

    private void poll() {
        throw new UnsupportedOperationException("TODO: every GROUP_POLL, checkGone() until it says the group is gone");
    }

    /** Runs the waiting callbacks once the leader is reaped and the group empty; true when it did. */
    private boolean checkGone() {
        throw new UnsupportedOperationException("TODO: false until the leader is reaped (exit set) and ProcessGroup.isEmpty(pid); then cancel the timers and run every whenGone callback once");
    }

    /** {@code "SIGKILL"} for 9: the names Node gives ({@code os.constants.signals}). */
    static String signalName(int signal) {
        return switch (signal) {
            case Libc.SIGHUP -> "SIGHUP";
            case Libc.SIGINT -> "SIGINT";
            case Libc.SIGQUIT -> "SIGQUIT";
            case 6 -> "SIGABRT";
            case Libc.SIGKILL -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case Libc.SIGPIPE -> "SIGPIPE";
            case Libc.SIGTERM -> "SIGTERM";
            default -> "signal " + signal;
        };
    }
}
