package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import ipclab.testkit.Processes;
import ipclab.testkit.Pty;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each test starts a few JVMs (pm, the daemon), which on a loaded two-core machine take seconds each. */
@Timeout(120)
class DaemonTest {

    private static final String STEP = "Step 4: Detached, the classic way";
    private static final Duration DEADLINE = Duration.ofSeconds(40);

    /**
     * The starter's shell, run by setsid(1) as the leader of a new session: it opens the pty's
     * secondary (no O_NOCTTY, so it becomes the session's terminal), runs pm ping in that session,
     * writes pm's exit status, and waits to be hung up. $0 is the pty (or empty), $1 the status file,
     * $2 pm's output file, the rest pm's command line.
     */
    private static final String STARTER = "if [ -n \"$0\" ]; then exec 3<>\"$0\"; fi; status=$1; out=$2; shift 2; "
            + "\"$@\" >\"$out\" 2>&1; echo $? >\"$status.tmp\" && mv \"$status.tmp\" \"$status\"; exec sleep 600";

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("pm ping from a terminal's session starts a daemon that leads its own session, has no terminal, /dev/null, daemon.log and its home, and outlives the hang-up")
    void outlivesItsStartersSession() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            Path status = pm.root().resolve("starter.status");
            Path output = pm.root().resolve("starter.out");
            Pty pty = openPty();
            Process starter = null;
            try {
                List<String> command = new ArrayList<>(List.of("setsid", "sh", "-c", STARTER,
                        pty == null ? "" : pty.secondary().toString(), status.toString(), output.toString()));
                command.addAll(pm.pm("ping").command());
                ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
                builder.environment().put(Home.ENV, pm.home().toString());
                starter = builder.start();
                long starterPid = starter.pid();
                String exit = Await.polling(DEADLINE, () -> Files.exists(status) ? Files.readString(status).strip() : null,
                        "pm ping, run in the starter's session, did not finish within " + DEADLINE.toSeconds() + " s" + pm.daemonLogTail());
                assertThat(exit).as("pm ping's exit status; it said: %s%s", read(output), pm.daemonLogTail()).isEqualTo("0");

                long daemon = pm.daemonPid();
                Processes.Stat daemonStat = Processes.stat(daemon);
                Processes.Stat starterStat = Processes.stat(starterPid);
                assertThat(daemonStat).as("the daemon (pid %d, from pm.pid) is running", daemon).isNotNull();
                assertThat(daemonStat.session()).as("the daemon's session id: it leads a session of its own (setsid), "
                        + "so no terminal's hang-up reaches it").isEqualTo(daemon);
                assertThat(daemonStat.session()).as("the daemon is not in the starter's session").isNotEqualTo(starterStat.session());
                if (pty != null) {
                    assertThat(starterStat.ttyNr()).as("the starter's session has the pty as its terminal (test set-up)").isNotZero();
                }
                assertThat(daemonStat.ttyNr()).as("the daemon's controlling terminal (tty_nr in /proc/PID/stat): none").isZero();
                assertThat(FdTargets.target(daemon, 0)).as("the daemon's fd 0: /dev/null, not the starter's terminal").isEqualTo("/dev/null");
                assertThat(FdTargets.target(daemon, 1)).as("the daemon's fd 1").isEqualTo(pm.daemonLog().toString());
                assertThat(FdTargets.target(daemon, 2)).as("the daemon's fd 2").isEqualTo(pm.daemonLog().toString());
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pm.daemonLog()))).as("daemon.log's mode: ours alone")
                        .isEqualTo("rw-------");
                if (pty != null) {
                    assertThat(FdTargets.of(daemon).values()).as("the daemon's descriptors: none is the starter's terminal "
                            + "(pm held it as fd 3; the spawn must close every descriptor it does not map)").doesNotContain(pty.secondary().toString());
                }
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon), "cwd"))).as("the daemon's working directory: its home, "
                        + "so that it holds no other folder busy").isEqualTo(pm.home());

                hangUp(pty, starterPid);
                assertThat(starter.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the hang-up ended the starter's session leader").isTrue();
                try (PmWire wire = PmWire.connect(pm.socket())) {
                    assertThat(wire.ping().path("pid").asLong()).as("the daemon still answers ping after its starter's terminal hung up").isEqualTo(daemon);
                }
                long runner = ProcessHandle.current().pid();
                Await.until(DEADLINE, () -> {
                    Processes.Stat now = Processes.stat(daemon);
                    return now != null && now.parent() == runner;
                }, "the daemon's parent should become this test's JVM, a subreaper, once pm has exited: its parent is "
                        + Processes.stat(daemon));
            } finally {
                if (pty != null) {
                    pty.close();
                }
                if (starter != null) {
                    starter.destroyForcibly().waitFor();
                    starter.getOutputStream().close();
                    starter.getInputStream().close();
                    starter.getErrorStream().close();
                }
            }
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("four pm ping at once on a fresh home all succeed, and exactly one daemon runs")
    void concurrentFirstUse() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            List<CompletableFuture<ChildJvm.Result>> pings = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pings.add(Await.onNewThread("pm-ping-" + i, () -> pm.cli("ping")));
            }
            List<String> said = new ArrayList<>();
            for (CompletableFuture<ChildJvm.Result> ping : pings) {
                ChildJvm.Result result = Await.await(ping, DEADLINE.multipliedBy(2), "pm ping did not finish");
                assertThat(result.exitCode()).as("each of four pm ping started at once exits 0%s%s", PmSandbox.describe(result),
                        pm.daemonLogTail()).isZero();
                said.add(result.stdout().strip());
            }
            long daemon = pm.daemonPid();
            Await.until(DEADLINE, () -> pm.daemonProcesses().size() == 1,
                    "exactly one daemon should be left running for this home; the losers of the lock exit: running " + pm.daemonProcesses());
            assertThat(pm.daemonProcesses()).as("the daemon left running is the one in pm.pid").containsExactly(daemon);
            assertThat(said).as("every pm ping reached the same daemon, %d", daemon).allMatch(line -> line.contains(Long.toString(daemon)));
        }
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("after the daemon is SIGKILLed, pm ping starts a new one despite the stale pm.pid and rpc.sock")
    void staleFilesAfterSigkill() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("ping");
            long first = pm.daemonPid();
            Libc.kill(first, Libc.SIGKILL);
            Await.until(DEADLINE, () -> {
                Processes.reapOrphan(first);
                Processes.Stat stat = Processes.stat(first);
                return stat == null || stat.zombie();
            }, "daemon " + first + " did not die of SIGKILL");
            assertThat(pm.socket()).as("rpc.sock is left behind by a SIGKILLed daemon (test set-up)").exists();
            assertThat(pm.pidFile()).as("pm.pid is left behind by a SIGKILLed daemon (test set-up)").exists();

            ChildJvm.Result again = pm.cliOk("ping");
            long second = pm.daemonPid();
            assertThat(second).as("a new daemon, not the dead one; pm said: %s", again.stdout().strip()).isNotEqualTo(first);
            try (PmWire wire = PmWire.connect(pm.socket())) {
                assertThat(wire.ping().path("pid").asLong()).as("the new daemon answers on rpc.sock").isEqualTo(second);
            }
        }
    }

    /** A pseudo-terminal for the starter, or null where there is none (no /dev/ptmx): then the hang-up is played with SIGHUP. */
    private static Pty openPty() {
        try {
            return Pty.open();
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** Closing the pty hangs it up: the kernel sends SIGHUP to its session's leader. Without one, send that SIGHUP ourselves. */
    private static void hangUp(Pty pty, long starterPid) throws ErrnoException {
        if (pty != null) {
            pty.close();
        } else {
            Libc.kill(-starterPid, Libc.SIGHUP);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? PmWire.abbreviate(Files.readString(file).strip()) : "(nothing)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
