package ipclab.lab11;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Children;
import ipclab.testkit.Processes;
import ipclab.testkit.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One test's process manager: a fresh home in a private temp folder, {@code pm} run as a child JVM
 * with {@code IPCLAB_PM_HOME} pointing there, and a cleanup that leaves nothing behind even when the
 * lab's daemon misbehaves. {@link #close()} asks the daemon to {@code kill} itself (bounded), then
 * SIGKILLs every process of the daemon's session and every daemon of this home, then every
 * process the test started: a detached daemon is no child of the test, but the runner is a
 * subreaper, so it is re-parented here and found.
 */
final class PmSandbox implements AutoCloseable {

    /** How long one {@code pm} command may take: a JVM start, maybe a daemon's too, on a busy machine. */
    static final Duration CLI_DEADLINE = Duration.ofSeconds(40);
    /** The daemon's main class, as its command line names it. */
    static final String DAEMON_MAIN = "ipclab.lab11.DaemonMain";
    /** Rounds of killing new descendants before cleanup gives up on a process that keeps forking. */
    private static final int MAX_SWEEPS = 10;

    private final Path root;
    private final Path home;
    private final Set<Long> before = Children.liveDescendants();
    private final List<ChildProcess> started = new ArrayList<>();
    private final Set<Long> daemonsSeen = new LinkedHashSet<>();

    private PmSandbox(Path root) {
        this.root = root;
        this.home = root.resolve("home");
    }

    /** A sandbox whose home does not exist yet: the first {@code pm} makes it. */
    static PmSandbox open() throws IOException {
        return new PmSandbox(Files.createTempDirectory("pm", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    Path root() {
        return root;
    }

    Path home() {
        return home;
    }

    Path socket() {
        return home.resolve("rpc.sock");
    }

    Path pidFile() {
        return home.resolve("pm.pid");
    }

    Path daemonLog() {
        return home.resolve("daemon.log");
    }

    /** {@code pm ARGS} as a child JVM of this test, with this sandbox's home, not started yet. */
    ChildJvm pm(String... args) {
        return ChildJvm.main(Pm.class).args(args).env(Home.ENV, home.toString());
    }

    /** Runs {@code pm ARGS} to its end and returns what it did. */
    ChildJvm.Result cli(String... args) throws IOException {
        try {
            return pm(args).run(CLI_DEADLINE);
        } catch (TimeoutException e) {
            return fail("pm " + String.join(" ", args) + " did not exit within " + CLI_DEADLINE.toSeconds() + " s: " + e.getMessage()
                    + daemonLogTail());
        }
    }

    /** Runs {@code pm ARGS} and fails, showing its output and daemon.log, unless it exits 0. */
    ChildJvm.Result cliOk(String... args) throws IOException {
        ChildJvm.Result result = cli(args);
        if (result.exitCode() != 0) {
            fail("pm " + String.join(" ", args) + " exited " + result.exitCode() + describe(result) + daemonLogTail());
        }
        return result;
    }

    /** Starts {@code jvm}, to be killed by {@link #close()} if the test has not ended it. */
    ChildProcess start(ChildJvm jvm) throws IOException {
        ChildProcess child = jvm.start();
        started.add(child);
        return child;
    }

    /** The pid in pm.pid, or a failure showing daemon.log. */
    long daemonPid() throws IOException {
        String text = Files.exists(pidFile()) ? Files.readString(pidFile()).strip() : "";
        if (!text.matches("\\d+")) {
            return fail(pidFile() + " holds no pid (" + (Files.exists(pidFile()) ? "\"" + text + "\"" : "it does not exist")
                    + "): the daemon writes its pid there once it holds the lock" + daemonLogTail());
        }
        long pid = Long.parseLong(text);
        daemonsSeen.add(pid);
        return pid;
    }

    /** The pids of the processes running {@link #DAEMON_MAIN} for this home, zombies left out. */
    List<Long> daemonProcesses() {
        return Processes.pids().stream().filter(pid -> {
            List<String> command = Processes.commandLine(pid);
            return command.contains(DAEMON_MAIN) && command.contains(home.toString());
        }).toList();
    }

    /** No such process, or a zombie: it runs no more. */
    static boolean gone(long pid) {
        Processes.Stat stat = Processes.stat(pid);
        return stat == null || stat.zombie();
    }

    /** How many processes of group {@code pgid} run (zombies left out: they run nothing, and only their parent can reap them). */
    static long groupMembers(long pgid) {
        return Processes.pids().stream().filter(pid -> {
            Processes.Stat stat = Processes.stat(pid);
            return stat != null && stat.pgrp() == pgid && !stat.zombie();
        }).count();
    }

    /** "\nstdout: …\nstderr: …" of a finished {@code pm}, for a failure message. */
    static String describe(ChildJvm.Result result) {
        return "\n  stdout: " + PmWire.abbreviate(result.stdout().strip()) + "\n  stderr: " + PmWire.abbreviate(result.stderr().strip());
    }

    /** The end of daemon.log, for a failure message; empty when there is none. */
    String daemonLogTail() {
        try {
            if (!Files.exists(daemonLog())) {
                return "";
            }
            List<String> lines = Files.readAllLines(daemonLog(), StandardCharsets.UTF_8);
            return "\n  daemon.log ends: " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Each step guarded, so that one that throws does not skip the others; the folder goes last,
     * once nothing runs that could write into it.
     */
    @Override
    public void close() throws IOException {
        List<Throwable> failures = new ArrayList<>();
        // pm.pid is the lab's to write: only a session led by our own descendant or by this home's
        // daemon is ours to kill, whatever number it holds. Taken before the daemon is asked to go.
        Set<Long> ours = new LinkedHashSet<>(Children.liveDescendants());
        ours.addAll(daemonProcesses());
        guarded(failures, this::askToStop);
        guarded(failures, () -> {
            for (long pid : daemonCandidates()) {
                if (ours.contains(pid)) {
                    killSession(pid);
                }
            }
        });
        guarded(failures, () -> daemonProcesses().forEach(PmSandbox::kill));
        for (ChildProcess child : started) {
            guarded(failures, child::close);
        }
        guarded(failures, this::killDescendantsUntilNoneAreNew);
        try {
            Trees.delete(root);
        } catch (IOException | RuntimeException e) {
            failures.forEach(e::addSuppressed);
            throw e;
        }
        if (!failures.isEmpty()) {
            IOException failed = new IOException("cleaning up " + root + ": " + failures.getFirst());
            failures.forEach(failed::addSuppressed);
            throw failed;
        }
    }

    /**
     * Kills new descendants until a round finds none: a process forked while a round ran (a
     * daemon's app restarting, say) is caught by the next.
     */
    private void killDescendantsUntilNoneAreNew() {
        for (int round = 0; round < MAX_SWEEPS && !Children.newDescendants(before).isEmpty(); round++) {
            Children.killNewDescendants(before);
        }
    }

    private static void guarded(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }

    /** One step of {@link #close()}. */
    private interface Step {
        void run() throws Exception;
    }

    /** {@code kill} on the wire, bounded: the polite way, which also removes rpc.sock and pm.pid. */
    private void askToStop() {
        if (!Files.exists(socket())) {
            return;
        }
        try {
            daemonCandidates(); // remember its pid before pm.pid goes
            try (PmWire wire = PmWire.connect(socket())) {
                wire.send("{\"id\":1,\"verb\":\"kill\"}");
                wire.awaitEndOfStream(PmWire.DEADLINE);
            }
        } catch (IOException | RuntimeException e) {
            // no daemon, or a broken one: SIGKILL follows
        }
    }

    private Set<Long> daemonCandidates() {
        try {
            String text = Files.exists(pidFile()) ? Files.readString(pidFile()).strip() : "";
            if (text.matches("\\d+")) {
                daemonsSeen.add(Long.parseLong(text));
            }
        } catch (IOException e) {
            // gone meanwhile
        }
        daemonsSeen.addAll(daemonProcesses());
        return daemonsSeen;
    }

    /**
     * SIGKILL to every process in the session {@code sid} leads (a detached daemon's apps stay in it,
     * unless they call setsid). Never our own session, whatever pm.pid claims.
     */
    private static void killSession(long sid) {
        Processes.Stat self = Processes.stat(ProcessHandle.current().pid());
        if (self == null || self.session() == sid) {
            return;
        }
        for (long pid : Processes.pids()) {
            Processes.Stat stat = Processes.stat(pid);
            if (stat != null && stat.session() == sid && !stat.zombie() && pid != ProcessHandle.current().pid()) {
                kill(pid);
            }
        }
    }

    private static void kill(long pid) {
        try {
            Libc.kill(pid, Libc.SIGKILL);
        } catch (ErrnoException e) {
            // gone already
        }
    }
}
