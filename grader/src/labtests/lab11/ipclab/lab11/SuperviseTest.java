package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.testkit.Await;
import ipclab.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fork-mode apps under the daemon, watched through the grader's own client ({@link PmWire}). */
@Timeout(120)
class SuperviseTest {

    private static final String STEP = "Step 5: Supervising fork-mode apps";
    private static final Duration DEADLINE = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("start puts the app in a process group of its own, a child of the daemon; stop ends it; delete forgets it")
    void startListStop() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("start", "--name", "s", "--", "sleep", "1000");
            long daemon = pm.daemonPid();
            try (PmWire wire = PmWire.connect(pm.socket())) {
                JsonNode s = only(wire.ok("list", "{}"), "s");
                assertThat(s.path("status").asText()).as("s's status after start: %s", s).isEqualTo("online");
                assertThat(s.path("restarts").asInt()).as("s's restarts").isZero();
                long pid = s.path("pid").asLong();
                Processes.Stat stat = Processes.stat(pid);
                assertThat(stat).as("process %d, listed as s's", pid).isNotNull();
                assertThat(stat.parent()).as("the parent of s's process: the daemon spawns it").isEqualTo(daemon);
                assertThat(stat.pgrp()).as("s's process group: its own, numbered with its pid (POSIX_SPAWN_SETPGROUP)").isEqualTo(pid);

                pm.cliOk("stop", "s");
                JsonNode stopped = only(wire.ok("list", "{}"), "s");
                assertThat(stopped.path("status").asText()).as("s after stop: %s", stopped).isEqualTo("stopped");
                assertThat(PmSandbox.gone(pid)).as("process %d after stop answered: the stop waits until it is gone", pid).isTrue();

                pm.cliOk("delete", "s");
                assertThat(wire.ok("list", "{}")).as("list after delete").isEmpty();
            }
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("an app that keeps exiting is restarted after 100, 150, 225, 337 ms, each launch event saying so")
    void restartWithBackoff() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("ping");
            // Each run stamps its start and, just before it exits, its end on the kernel's clock: the
            // gaps are measured by the app, not taken from the daemon's own account of when it launched.
            Path runs = pm.root().resolve("runs");
            String run = "s=$(date +%s%N); echo \"$s $(date +%s%N)\" >> '" + runs + "'; exit 3";
            try (PmWire events = subscribe(pm); PmWire wire = PmWire.connect(pm.socket())) {
                wire.ok("start", "{\"name\":\"c\",\"command\":[\"sh\",\"-c\"," + JSON.writeValueAsString(run)
                        + "],\"maxRestarts\":100}");
                List<JsonNode> launches = new ArrayList<>();
                List<JsonNode> exits = new ArrayList<>();
                while (exits.size() < 5) { // five runs ended: each has written its start
                    JsonNode event = nextEvent(events, pm);
                    switch (event.path("type").asText()) {
                        case "launch" -> launches.add(event);
                        case "exit" -> exits.add(event);
                        case "errored" -> throw new AssertionError("c became errored after " + launches.size() + " launches: " + event);
                        default -> { }
                    }
                }
                wire.ok("stop", "{\"name\":\"c\"}");
                List<long[]> stamped = Files.readAllLines(runs).stream()
                        .map(line -> Arrays.stream(line.strip().split(" ")).mapToLong(Long::parseLong).toArray()).toList();
                assertThat(stamped).as("runs the app itself recorded in %s", runs).hasSizeGreaterThanOrEqualTo(5);
                long[] expected = {100, 150, 225, 337};
                for (int i = 0; i < expected.length; i++) {
                    JsonNode launch = launches.get(i + 1);
                    assertThat(launch.path("delayMs").asLong()).as("delayMs of restart %d: %s", i + 1, launch).isEqualTo(expected[i]);
                    long gap = launch.path("t").asLong() - exits.get(i).path("t").asLong();
                    assertThat(gap).as("ms from exit %d to the next launch (planned %d)", i + 1, expected[i]).isGreaterThanOrEqualTo(expected[i] - 20);
                    long waitedMs = (stamped.get(i + 1)[0] - stamped.get(i)[1]) / 1_000_000;
                    assertThat(waitedMs).as("ms from the end of run %d to the start of run %d, on the app's own clock (planned delay %d)",
                            i + 1, i + 2, expected[i]).isGreaterThanOrEqualTo(expected[i] - 20);
                }
                assertThat(exits).as("exit events").allSatisfy(exit -> assertThat(exit.path("code").asInt()).as("exit code").isEqualTo(3));
                JsonNode c = only(wire.ok("list", "{}"), "c");
                assertThat(c.path("restarts").asInt()).as("c's restarts: %s", c).isGreaterThanOrEqualTo(4);
                assertThat(c.path("exitCode").asInt()).as("c's last exit code").isEqualTo(3);
            }
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("with maxRestarts 3, an app that exits at once runs 3 times, then stays errored with its reason")
    void erroredAfterMaxRestarts() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("ping");
            try (PmWire events = subscribe(pm); PmWire wire = PmWire.connect(pm.socket())) {
                wire.ok("start", "{\"name\":\"e\",\"command\":[\"sh\",\"-c\",\"exit 3\"],\"maxRestarts\":3}");
                List<Long> launched = new ArrayList<>();
                JsonNode errored = null;
                while (errored == null) {
                    JsonNode event = nextEvent(events, pm);
                    switch (event.path("type").asText()) {
                        case "launch" -> launched.add(event.path("pid").asLong());
                        case "errored" -> errored = event;
                        default -> { }
                    }
                }
                assertThat(launched).as("launches before errored (max 3: the third unstable exit is not restarted)").hasSize(3);
                assertThat(errored.path("reason").asText()).as("the errored event's reason").contains("3 unstable").contains("1000 ms").contains("exit code 3");
                JsonNode e = only(wire.ok("list", "{}"), "e");
                assertThat(e.path("status").asText()).as("e in list: %s", e).isEqualTo("errored");
                assertThat(e.path("reason").asText()).as("e's reason in list").contains("exit code 3");
                assertThat(e.path("pid").asLong()).as("e's pid in list: nothing runs").isZero();
                assertThat(wire.ok("describe", "{\"name\":\"e\"}").toString()).as("describe e").contains("errored").contains("exit code 3");
                assertThat(PmSandbox.gone(launched.getLast())).as("e's last process").isTrue();
                long quietUntil = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                for (long left; (left = quietUntil - System.nanoTime()) > 0; ) {
                    PmWire.Datagram next = events.receiveWithin(Duration.ofNanos(left));
                    if (next != null && !next.endOfStream()) {
                        assertThat(next.text()).as("an event after errored: errored is final").doesNotContain("\"launch\"");
                    }
                }
            }
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("stop signals the whole group: an app that ignores SIGINT and SIGTERM and its re-parented grandchild are gone")
    void stopKillsTheWholeGroup() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("ping");
            Path ready = pm.root().resolve("stubborn.ready");
            Path interrupted = pm.root().resolve("stubborn.sigint");
            List<String> command = ChildJvm.main(Stubborn.class).args(ready.toString(), interrupted.toString()).command();
            try (PmWire wire = PmWire.connect(pm.socket())) {
                JsonNode started = wire.ok("start", "{\"name\":\"stubborn\",\"killTimeoutMs\":300,\"command\":"
                        + JSON.writeValueAsString(command) + "}");
                long leader = started.get(0).path("pid").asLong();
                Await.until(DEADLINE, () -> Files.exists(ready), "Stubborn (pid " + leader + ") never wrote " + ready + pm.daemonLogTail());
                long grandchild = Long.parseLong(Files.readString(ready).strip().split(" ")[1]);
                Processes.Stat before = Processes.stat(grandchild);
                assertThat(before).as("Stubborn's grandchild %d", grandchild).isNotNull();
                assertThat(before.pgrp()).as("the grandchild's group: the app's").isEqualTo(leader);

                long t0 = System.nanoTime();
                JsonNode stopped = wire.ok("stop", "{\"name\":\"stubborn\"}");
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(stopped.get(0).path("status").asText()).as("stubborn after stop").isEqualTo("stopped");
                assertThat(elapsedMs).as("ms the stop took: Stubborn ignores SIGINT, so only SIGKILL at the kill timeout (300 ms) ends it")
                        .isGreaterThanOrEqualTo(300);
                assertThat(interrupted).as("Stubborn's record of a SIGINT: the polite kill signal comes before SIGKILL").exists();
                assertThat(PmSandbox.gone(leader)).as("Stubborn, the group's leader").isTrue();
                assertThat(PmSandbox.gone(grandchild)).as("its grandchild, re-parented but still in the group (pm2 leaves it running)").isTrue();
                assertThat(PmSandbox.groupMembers(leader)).as("processes still running in group %d", leader).isZero();
            }
        }
    }

    /** A connection subscribed to every app's events, its {@code ok} read. */
    private static PmWire subscribe(PmSandbox pm) throws IOException {
        PmWire events = PmWire.connect(pm.socket());
        events.ok("subscribe", "{}");
        return events;
    }

    /** The next event on a subscribed connection. */
    private static JsonNode nextEvent(PmWire events, PmSandbox pm) throws IOException {
        while (true) {
            JsonNode item;
            try {
                item = events.receiveJson();
            } catch (IOException e) {
                throw new IOException("waiting for an event: " + e.getMessage() + pm.daemonLogTail(), e);
            }
            if (item.has("event")) {
                return item.get("event");
            }
        }
    }

    /** The one line of {@code list} named {@code name}. */
    private static JsonNode only(JsonNode list, String name) {
        List<JsonNode> named = new ArrayList<>();
        list.forEach(line -> {
            if (line.path("name").asText().equals(name)) {
                named.add(line);
            }
        });
        assertThat(named).as("lines of list named %s: %s", name, list).hasSize(1);
        return named.getFirst();
    }
}
