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
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(spec.env());
        Path cwd = spec.cwd() != null ? spec.cwd() : home.dir();
        // Close-on-exec on both ends: the child gets its copies through dup2, which clears the flag,
        // and no later child inherits ours (a write end left open elsewhere would delay end of file).
        int[] out = Libc.pipe2(Libc.O_CLOEXEC);
        int[] err = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = -1;
        try {
            devNull = Libc.open(Path.of("/dev/null"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            int pid = Spawn.spawn(Spawn.Request.of(spec.command()).withEnv(env).withCwd(cwd).withStdio(devNull, out[1], err[1])
                    .withFlags(Spawn.SETPGROUP | Spawn.CLEAN_SIGNALS));
            // Opened at once: a zombie keeps its pidfd readable, so an app that already exited is not missed.
            ForkApp app = new ForkApp(loop, spec, pid, PidFd.open(pid), onExit);
            app.watch = loop.watch(app.pidFd, EventLoop.READABLE, (watch, events) -> app.onExit());
            for (int[] pipe : List.of(out, err)) {
                Libc.fcntl(pipe[0], Libc.F_SETFL, Libc.fcntl(pipe[0], Libc.F_GETFL) | Libc.O_NONBLOCK);
            }
            logs.attach(spec.name(), null, "out", out[0], spec.log());
            out[0] = -1; // the log book's now
            logs.attach(spec.name(), null, "err", err[0], spec.log());
            err[0] = -1;
            return app;
        } finally {
            // The child has its copies of the write ends: ours would keep the pipes from ever reaching end of file.
            for (int fd : new int[] {devNull, out[1], err[1], out[0], err[0]}) {
                if (fd >= 0) {
                    Libc.closeQuietly(fd, spec.name() + ": spawn descriptor " + fd);
                }
            }
        }
    }

    /**
     * The pidfd is readable: the leader has exited. Reaps it, stops watching, and tells the
     * supervisor how it ended. What is left of its group (children it left behind) gets SIGTERM, and
     * SIGKILL after the kill timeout, so that restarts never pile up orphans.
     */
    void onExit() throws ErrnoException {
        Optional<WaitStatus> status = PidFd.reap(pid);
        if (status.isEmpty()) {
            return; // not yet: the kernel said readable, waitpid says running; the watch stays
        }
        watch.cancel();
        Libc.closeQuietly(pidFd, spec.name() + ": pidfd of " + pid);
        WaitStatus ended = status.get();
        exit = ended.code() != null ? ExitInfo.exited(ended.code()) : ExitInfo.killedBy(signalName(ended.signal()));
        if (!clearing) {
            clear(Libc.SIGTERM);
        }
        onExit.accept(exit);
        checkGone();
    }

    /**
     * Stops the app: the kill signal to the whole group, SIGKILL after the kill timeout, and
     * {@code done} once the leader is reaped and no process of the group runs.
     */
    public void stop(Runnable done) throws ErrnoException {
        whenGone.add(done);
        if (!clearing) {
            clear(spec.killSignalNumber());
        }
        if (!checkGone() && !pollTimer.isPending()) {
            poll(); // an earlier clearing has ended its polling: without a look again, done would never run
        }
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
        clearing = true;
        ProcessGroup.signal(pid, signal);
        killTimer = loop.schedule(Duration.ofMillis(spec.killTimeoutMs()), () -> {
            try {
                ProcessGroup.signal(pid, Libc.SIGKILL);
            } catch (ErrnoException e) {
                System.err.println(spec.name() + ": SIGKILL to group " + pid + ": " + e.getMessage());
            }
        });
        poll();
    }

    private void poll() {
        pollTimer = loop.schedule(GROUP_POLL, () -> {
            if (!checkGone()) {
                poll();
            }
        });
    }

    /** Runs the waiting callbacks once the leader is reaped and the group empty; true when it did. */
    private boolean checkGone() {
        if (exit == null || !ProcessGroup.isEmpty(pid)) {
            return false;
        }
        killTimer.cancel();
        pollTimer.cancel();
        List<Runnable> callbacks = List.copyOf(whenGone);
        whenGone.clear();
        callbacks.forEach(Runnable::run);
        return true;
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
