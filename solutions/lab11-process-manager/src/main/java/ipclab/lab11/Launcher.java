package ipclab.lab11;

import ipclab.support.BuildFacts;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.proc.Spawn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code pm} finds its daemon, starting it on first use: pm2's {@code Client.launchDaemon}
 * ({@code Client.js} 209–272). The daemon is started detached, the classic way in one step:
 * {@code posix_spawn} with {@code POSIX_SPAWN_SETSID} makes it the leader of a new session with no
 * terminal, stdin is {@code /dev/null}, stdout and stderr go to {@code daemon.log}, every other
 * descriptor is closed, and it starts in its home. It says it is ready on a pipe (its fd 3).
 */
public final class Launcher {

    /** How long a starting daemon may take to say {@code ready} (a JVM start, on a busy machine). */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    /** How long to keep trying to connect to a daemon that another {@code pm} is starting ({@code busy}). */
    static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** The readiness pipe's number in the daemon. */
    static final int READY_FD = 3;
    /** Lines of daemon.log shown when the daemon did not start. */
    static final int LOG_TAIL_LINES = 20;

    private Launcher() {
    }

    /**
     * A connection to the daemon of {@code home}, which has just answered {@code ping}: the one that
     * runs, or one started now ({@link #spawnDaemon}). When several {@code pm} start one at the same
     * moment, one daemon wins the lock and the others connect to it.
     *
     * @throws IOException when no daemon could be started or reached; the message says why (and shows daemon.log)
     */
    public static ControlClient ensureDaemon(Home home) throws IOException {
        home.ensure();
        Optional<ControlClient> running = ControlClient.connectIfServed(home.socket());
        if (running.isPresent()) {
            return pinged(running.get());
        }
        spawnDaemon(home);
        // "ready": it listens already. "busy": the winner of the lock may still be on its way to listen.
        long end = System.nanoTime() + BUSY_TIMEOUT.toNanos();
        while (true) {
            Optional<ControlClient> client = ControlClient.connectIfServed(home.socket());
            if (client.isPresent()) {
                return pinged(client.get());
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException("a daemon holds " + home.pidFile() + " but nobody listens on " + home.socket() + " after "
                        + BUSY_TIMEOUT.toSeconds() + " s (see " + home.daemonLog() + ")");
            }
            pause(); // the kernel has no "a socket file starts listening" notification to wait on
        }
    }

    /**
     * Starts a daemon for {@code home}, detached, and waits for its line on the readiness pipe.
     *
     * @return the pid of the daemon that serves {@code home}: ours ({@code ready PID}), or the one that
     *         held the lock already ({@code busy PID}, -1 when it had not written its pid yet)
     * @throws IOException "the daemon did not start; the end of …/daemon.log:" and its last lines, when the
     *                     pipe closed without a line; or when no line came within {@link #READY_TIMEOUT}
     */
    public static long spawnDaemon(Home home) throws IOException {
        // Close-on-exec, so that no other child of ours inherits the pipe: posix_spawn's dup2 clears the
        // flag on the daemon's fd 3 alone. The daemon's exit, or its close, is then our end of file.
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = -1;
        int log = -1;
        try {
            devNull = Libc.open(Path.of("/dev/null"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            log = Libc.open(home.daemonLog(), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0600);
            Spawn.Request request = new Spawn.Request(daemonCommand(home), System.getenv(), home.dir(), devNull, log, log,
                    Map.of(READY_FD, pipe[1]), Spawn.SETSID | Spawn.CLEAN_SIGNALS);
            int pid = Spawn.spawn(request);
            Libc.close(pipe[1]); // only the daemon holds the write end now
            pipe[1] = -1;
            String line = readLine(pipe[0], READY_TIMEOUT);
            if (line == null) {
                throw new IOException("the daemon (pid " + pid + ") did not start; the end of " + home.daemonLog() + ":\n"
                        + logTail(home.daemonLog()));
            }
            String[] words = line.split(" ");
            if (words.length == 2 && (words[0].equals("ready") || words[0].equals("busy"))) {
                return Long.parseLong(words[1]);
            }
            throw new IOException("the daemon (pid " + pid + ") said '" + line + "' on its readiness pipe, not 'ready PID' or 'busy PID'");
        } finally {
            Libc.closeQuietly(pipe[0], "launcher");
            Libc.closeQuietly(pipe[1], "launcher");
            Libc.closeQuietly(devNull, "launcher");
            Libc.closeQuietly(log, "launcher");
        }
    }

    /**
     * The daemon's command line: this JVM's java with the course's flags and class path, tuned to start
     * fast and stay small (one compiler tier, the serial collector), then {@link DaemonMain}. Given.
     */
    static List<String> daemonCommand(Home home) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonMain.class.getName()));
        command.addAll(List.of("--home", home.dir().toString(), "--ready-fd", Integer.toString(READY_FD)));
        return command;
    }

    /**
     * One line from {@code fd} (without its newline), or null at end of file; waits at most
     * {@code timeout} in all. Given.
     *
     * @throws IOException when no whole line came in time
     */
    static String readLine(int fd, Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0 || Libc.poll(fd, Libc.POLLIN, (int) left) == 0) {
                throw new IOException("the daemon did not say 'ready' within " + timeout.toSeconds() + " s");
            }
            if (Libc.read(fd, one, 0, 1) == 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
            }
            if (one[0] == '\n') {
                return line.toString(StandardCharsets.US_ASCII);
            }
            line.write(one[0]);
        }
    }

    /** The last {@link #LOG_TAIL_LINES} lines of the daemon's log, for a failure message. Given. */
    static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    private static ControlClient pinged(ControlClient client) throws IOException {
        try {
            client.call("ping");
            return client;
        } catch (Refusal e) {
            client.close();
            throw new IOException("the daemon refused ping: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the daemon");
        }
    }
}
