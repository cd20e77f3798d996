package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** save, resurrect, startup, kill: what survives the daemon, and what does not. */
@Timeout(120)
class PersistTest {

    private static final String STEP = "Step 7: Save, resurrect, startup, kill";
    private static final Duration DEADLINE = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("save writes the specs only (0600, version 1); after kill, resurrect brings the same apps back, a stopped one stopped")
    void saveKillResurrect() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("start", "--name", "a", "--env", "K=V", "--", "sleep", "1000");
            pm.cliOk("start", "--name", "b", "--", "sleep", "1001");
            pm.cliOk("stop", "b");
            long oldPid = pid(pm, "a");
            pm.cliOk("save");
            Path dump = pm.home().resolve("dump.json");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dump))).as("dump.json's mode").isEqualTo("rw-------");
            JsonNode saved = JSON.readTree(dump.toFile());
            assertThat(saved.path("version").asInt()).as("dump.json's version: %s", saved).isEqualTo(1);
            assertThat(saved.toString()).as("dump.json holds the --env pair").contains("\"K\":\"V\"");
            assertThat(saved.toString()).as("dump.json holds only the --env pairs, not the daemon's environment (PATH)").doesNotContain("\"PATH\"");
            pm.cliOk("kill");
            assertThat(PmSandbox.gone(oldPid)).as("a's process %d after kill", oldPid).isTrue();
            pm.cliOk("resurrect");
            try (PmWire wire = PmWire.connect(pm.socket())) {
                JsonNode list = wire.ok("list", "{}");
                assertThat(list).as("apps after resurrect: %s", list).hasSize(2);
                assertThat(status(list, "a")).as("a after resurrect").isEqualTo("online");
                assertThat(status(list, "b")).as("b after resurrect: it was saved stopped").isEqualTo("stopped");
                long newPid = find(list, "a").path("pid").asLong();
                assertThat(newPid).as("a's new pid").isPositive().isNotEqualTo(oldPid);
            }
        }
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("startup prints a Type=simple unit running daemon --foreground --resurrect; the foreground daemon stops its apps on SIGTERM")
    void startupUnit() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            ChildJvm.Result printed = pm.cliOk("startup");
            assertThat(printed.stdout()).as("pm startup's unit").contains("Type=simple").contains("IPCLAB_PM_HOME")
                    .containsPattern("(?m)^ExecStart=.* daemon --foreground --resurrect$");
            Path unitDir = pm.root().resolve("units");
            pm.cliOk("startup", "--install", "--unit-dir", unitDir.toString());
            assertThat(unitDir.resolve("ipclab-pm.service")).as("the unit --install wrote").exists();
            assertThat(Files.readString(unitDir.resolve("ipclab-pm.service"))).as("the installed unit").contains("Type=simple");

            Path log = pm.root().resolve("foreground.log");
            ChildProcess daemon = pm.start(pm.pm("daemon", "--foreground")
                    .redirectOutput(Redirect.to(log.toFile())).redirectError(Redirect.appendTo(log.toFile())));
            PmWire wire = Await.polling(DEADLINE, () -> {
                try {
                    return PmWire.connect(pm.socket());
                } catch (ErrnoException e) {
                    return null;
                }
            }, "pm daemon --foreground never listened on " + pm.socket());
            long app;
            try (wire) {
                assertThat(wire.ping().path("pid").asLong()).as("the foreground daemon's pid: it does not detach").isEqualTo(daemon.pid());
                app = wire.ok("start", "{\"name\":\"s\",\"command\":[\"sleep\",\"1000\"]}").get(0).path("pid").asLong();
            }
            Libc.kill(daemon.pid(), Libc.SIGTERM);
            assertThat(daemon.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the daemon exits on SIGTERM").isTrue();
            assertThat(daemon.process().exitValue()).as("its exit status after SIGTERM; it said: %s", Files.readString(log)).isZero();
            assertThat(PmSandbox.gone(app)).as("its app %d, after the daemon's SIGTERM", app).isTrue();
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("kill stops every app, a re-parented grandchild and a cluster app's workers included, and leaves no daemon, rpc.sock, pm.pid or FIFO")
    void killLeavesNothing() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("start", "--name", "g", "--", "sh", "-c", "(sleep 1000 &); exec sleep 1001");
            pm.cliOk("start", "seed", "--name", "web", "--instances", "2", "--port", "0", "--delay-ms", "1");
            long daemon = pm.daemonPid();
            long leader = pid(pm, "g");
            Await.until(DEADLINE, () -> PmSandbox.groupMembers(leader) >= 2, "g's group never held its grandchild (sleep 1000)");
            Await.until(DEADLINE, () -> workers(pm).size() == 2, "web's 2 workers never both showed online in list" + pm.daemonLogTail());
            List<Long> workers = workers(pm);
            ChildJvm.Result killed = pm.cliOk("kill");
            assertThat(killed.exitCode()).as("pm kill's exit status").isZero();
            assertThat(PmSandbox.gone(daemon)).as("the daemon %d after kill", daemon).isTrue();
            assertThat(PmSandbox.groupMembers(leader)).as("processes left running in g's group %d (the app and its re-parented grandchild)", leader).isZero();
            for (long worker : workers) {
                assertThat(PmSandbox.gone(worker)).as("web's worker %d after kill", worker).isTrue();
            }
            try (Stream<Path> left = Files.list(pm.home().resolve("run"))) {
                assertThat(left.toList()).as("files left in run/ (the cluster app's FIFOs) after kill").isEmpty();
            }
            assertThat(pm.socket()).as("rpc.sock after kill").doesNotExist();
            assertThat(pm.pidFile()).as("pm.pid after kill").doesNotExist();
        }
    }

    /** The pids of web's workers that list shows online; none while the daemon does not answer. */
    private static List<Long> workers(PmSandbox pm) {
        List<Long> pids = new ArrayList<>();
        try (PmWire wire = PmWire.connect(pm.socket())) {
            for (JsonNode line : wire.ok("list", "{}")) {
                if (line.path("name").asText().equals("web") && line.path("status").asText().equals("online")) {
                    pids.add(line.path("pid").asLong());
                }
            }
        } catch (IOException e) {
            pids.clear();
        }
        return pids;
    }

    private static long pid(PmSandbox pm, String name) throws Exception {
        try (PmWire wire = PmWire.connect(pm.socket())) {
            return find(wire.ok("list", "{}"), name).path("pid").asLong();
        }
    }

    private static JsonNode find(JsonNode list, String name) {
        for (JsonNode line : list) {
            if (line.path("name").asText().equals(name)) {
                return line;
            }
        }
        throw new AssertionError("no app called " + name + " in " + list);
    }

    private static String status(JsonNode list, String name) {
        return find(list, name).path("status").asText();
    }
}
