package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.testkit.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An app's output through the daemon: pipes, whole stamped lines, rotated files, {@code logs}. */
@Timeout(120)
class LogsTest {

    private static final String STEP = "Step 6: Logs, and the cluster app";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAMPED = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (.*)");
    private static final int MAX_BYTES = 64 * 1024;

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("20,000 lines on stdout and 2,000 on stderr, a third in two writes, rotated at 64 KiB: each line once, whole, stamped, in order")
    void rotationLosesNoLine() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("ping");
            List<String> command = ChildJvm.main(Chatter.class).args("20000", "2000").command();
            try (PmWire wire = PmWire.connect(pm.socket())) {
                wire.ok("start", "{\"name\":\"chat\",\"command\":" + JSON.writeValueAsString(command)
                        + ",\"log\":{\"maxBytes\":" + MAX_BYTES + ",\"keep\":1000}}");
                for (String stream : List.of("out", "err")) {
                    Path log = pm.home().resolve("logs/chat-" + stream + ".log");
                    String last = Chatter.text(stream, stream.equals("out") ? 20000 : 2000);
                    Await.until(DEADLINE, () -> endsWith(log, last), log + " never ended with \"" + last + "\"" + pm.daemonLogTail());
                }
                wire.ok("stop", "{\"name\":\"chat\"}");
            }
            checkStream(pm.home().resolve("logs/chat-out.log"), "out", 20000);
            checkStream(pm.home().resolve("logs/chat-err.log"), "err", 2000);
        }
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("pm logs --lines 5 gives the last 5 lines; --follow then streams a new one")
    void followAndLines() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("start", "--name", "t", "--", "sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done");
            Path log = pm.home().resolve("logs/t-out.log");
            Await.until(DEADLINE, () -> lines(log).size() >= 6, log + " never held 6 lines" + pm.daemonLogTail());
            ChildJvm.Result five = pm.cliOk("logs", "t", "--lines", "5");
            List<Integer> ticks = new ArrayList<>();
            Matcher tick = Pattern.compile("tick (\\d+)").matcher(five.stdout());
            while (tick.find()) {
                ticks.add(Integer.parseInt(tick.group(1)));
            }
            assertThat(ticks).as("the ticks pm logs t --lines 5 printed:%s", PmSandbox.describe(five)).hasSize(5);
            for (int i = 1; i < ticks.size(); i++) {
                assertThat(ticks.get(i)).as("ticks in order, none missing: %s", ticks).isEqualTo(ticks.get(i - 1) + 1);
            }
            try (PmWire wire = PmWire.connect(pm.socket())) {
                wire.send("{\"id\":1,\"verb\":\"logs\",\"args\":{\"name\":\"t\",\"lines\":1,\"follow\":true}}");
                JsonNode first = wire.receiveJson();
                assertThat(first.path("line").path("text").asText()).as("the first item of logs --follow: %s", first).contains("tick");
                int seen = number(first.path("line").path("text").asText());
                long until = System.nanoTime() + DEADLINE.toNanos(); // one every 200 ms, but a loaded machine may starve the daemon
                int newer = -1;
                while (newer < 0 && System.nanoTime() < until) {
                    PmWire.Datagram next = wire.receiveWithin(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
                    if (next != null && !next.endOfStream()) {
                        JsonNode item = JSON.readTree(next.bytes());
                        if (item.has("line") && number(item.path("line").path("text").asText()) > seen) {
                            newer = number(item.path("line").path("text").asText());
                        }
                    }
                }
                assertThat(newer).as("a tick after %d streamed by logs --follow within %d s (one is written every 200 ms)", seen, DEADLINE.toSeconds()).isPositive();
            }
        }
    }

    /** The log and its rotated files, oldest first, hold lines 1…count of {@code stream}, each once, stamped; no file over 64 KiB. */
    private static void checkStream(Path log, String stream, int count) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int age = 1; Files.exists(log.resolveSibling(log.getFileName() + "." + age)); age++) {
            files.addFirst(log.resolveSibling(log.getFileName() + "." + age));
        }
        files.add(log);
        assertThat(files.size()).as("%s and its rotated files: %d lines of about 70 bytes rotate at 64 KiB", log, count)
                .isGreaterThan(count * 60 / MAX_BYTES);
        int expected = 1;
        for (Path file : files) {
            assertThat(Files.size(file)).as("the size of %s", file).isLessThanOrEqualTo(MAX_BYTES);
            for (String line : lines(file)) {
                Matcher stamped = STAMPED.matcher(line);
                assertThat(stamped.matches()).as("a line of %s, stamped with the time: \"%s\"", file.getFileName(), line).isTrue();
                assertThat(stamped.group(1)).as("line %d of %s, in %s (whole, in order, none lost or doubled)", expected, stream, file.getFileName())
                        .isEqualTo(Chatter.text(stream, expected));
                expected++;
            }
        }
        assertThat(expected - 1).as("lines of %s across the files", stream).isEqualTo(count);
    }

    private static boolean endsWith(Path log, String text) {
        List<String> lines = lines(log);
        return !lines.isEmpty() && lines.getLast().endsWith(text);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int number(String text) {
        Matcher m = Pattern.compile("tick (\\d+)").matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
