package ipclab.lab11;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import sun.misc.Signal;

/**
 * The daemon process's {@code main}, pm2's {@code Daemon.js}, in an order that matters (the
 * handout's steps 3 and 4):
 * <ol>
 *   <li>{@link Detach#check()}: a session of our own, no terminal (skipped with {@code --foreground},
 *       where systemd or a shell is the supervisor);</li>
 *   <li>{@code umask(077)}: every file and socket we make is ours alone;</li>
 *   <li>{@link PidFile#acquire}: the lock, before anything is touched; a loser writes
 *       {@code busy PID} on the readiness pipe and exits 1;</li>
 *   <li>only now remove a stale {@code rpc.sock}: the lock proves nobody serves it;</li>
 *   <li>{@link ControlServer#listen};</li>
 *   <li>{@code ready PID} on the readiness pipe, which is then closed: the starting {@code pm} may connect;</li>
 *   <li>run the loop on this thread, for good.</li>
 * </ol>
 *
 * <p>Arguments: {@code --home H} (default {@code $IPCLAB_PM_HOME}), {@code --foreground},
 * {@code --ready-fd N} (the pipe {@link Launcher#spawnDaemon} passes as fd 3), {@code --owner-uid U}
 * (who may connect; ours by default: tests use another to play a stranger), {@code --resurrect}
 * (start what {@code dump.json} holds: systemd's way to bring the apps back). Given code.
 */
public final class DaemonMain {

    /** Exit status when another daemon holds the lock, or the daemon cannot start. */
    static final int REFUSED = 1;

    /** The daemon's command line. */
    record Options(Home home, boolean foreground, int readyFd, int ownerUid, boolean resurrect) {

        static Options parse(String... args) {
            Home home = Home.fromEnvironment();
            boolean foreground = false;
            int readyFd = -1;
            int ownerUid = Libc.geteuid();
            boolean resurrect = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--home" -> home = new Home(Path.of(value(args, ++i)));
                    case "--foreground" -> foreground = true;
                    case "--ready-fd" -> readyFd = Integer.parseInt(value(args, ++i));
                    case "--owner-uid" -> ownerUid = Integer.parseInt(value(args, ++i));
                    case "--resurrect" -> resurrect = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "' (DaemonMain [--home H] [--foreground] [--ready-fd N] [--owner-uid U] [--resurrect])");
                }
            }
            return new Options(home, foreground, readyFd, ownerUid, resurrect);
        }

        private static String value(String[] args, int i) {
            if (i >= args.length) {
                throw new IllegalArgumentException(args[i - 1] + " needs a value");
            }
            return args[i];
        }
    }

    private DaemonMain() {
    }

    public static void main(String[] args) {
        System.exit(run(Options.parse(args)));
    }

    /**
     * Starts the daemon and runs its loop on this thread. Returns only when it could not start (with
     * the exit status); once serving, the process ends through {@link Daemon#shutdown}.
     */
    static int run(Options options) {
        try {
            if (!options.foreground()) {
                Detach.check();
            }
            Libc.umask(0077);
            Home home = options.home().ensure();
            PidFile pidFile;
            try {
                pidFile = PidFile.acquire(home.pidFile());
            } catch (AlreadyRunning e) {
                tell(options.readyFd(), "busy " + e.pid());
                System.err.println("daemon " + ProcessHandle.current().pid() + ": " + e.getMessage() + "; exiting");
                return REFUSED;
            }
            Files.deleteIfExists(home.socket()); // stale: we hold the lock, so nobody serves it
            EventLoop loop = EventLoop.open();
            Daemon daemon = new Daemon(home, loop, pidFile, options.ownerUid());
            daemon.serve(ControlServer.listen(loop, home.socket(), options.ownerUid(), daemon));
            onSignals(loop, daemon);
            if (options.resurrect()) {
                // After a reboot, under systemd: what pm save kept. A bad dump is said, and the daemon serves on.
                try {
                    daemon.supervisor().resurrect(DumpFile.read(home.dump()));
                } catch (IOException e) {
                    System.err.println("daemon: not resurrecting: " + e.getMessage());
                }
            }
            long pid = ProcessHandle.current().pid();
            System.out.println("daemon " + pid + ": serving " + home.socket() + " for uid " + options.ownerUid());
            tell(options.readyFd(), "ready " + pid);
            loop.run();
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("daemon " + ProcessHandle.current().pid() + ": could not start: " + e.getMessage());
            e.printStackTrace();
            return REFUSED;
        }
    }

    /**
     * SIGTERM and SIGINT stop the daemon as {@code kill} does; SIGHUP is ignored (a detached daemon
     * has no terminal to lose, and a stray hangup must not end it). The JVM calls these handlers on a
     * thread of its own, so each hands the work to the loop.
     */
    private static void onSignals(EventLoop loop, Daemon daemon) {
        Signal.handle(new Signal("TERM"), signal -> loop.execute(() -> daemon.shutdown(null)));
        Signal.handle(new Signal("INT"), signal -> loop.execute(() -> daemon.shutdown(null)));
        Signal.handle(new Signal("HUP"), signal -> { });
    }

    /**
     * Writes {@code line} to the readiness pipe and closes it; nothing when there is none. A starter
     * that has gone (EPIPE) changes nothing: the daemon serves whoever connects next.
     */
    private static void tell(int readyFd, String line) {
        if (readyFd < 0) {
            return;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            Libc.write(readyFd, bytes, 0, bytes.length); // a few bytes, far below PIPE_BUF: one write, whole
        } catch (ErrnoException e) {
            System.err.println("daemon: telling the starter '" + line + "': " + e.getMessage());
        } finally {
            Libc.closeQuietly(readyFd, "daemon: the readiness pipe"); // the starter reads end of file after the line
        }
    }
}
