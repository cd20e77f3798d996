package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import ipclab.testkit.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lab 10's cluster, run by the daemon: the seed program answers through it. */
@Timeout(120)
class ClusterModeTest {

    private static final String STEP = "Step 6: Logs, and the cluster app";
    private static final Duration DEADLINE = Duration.ofSeconds(40);
    private static final Pattern ANSWER = Pattern.compile("Request handled by worker-(\\d+)");

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("pm start seed --instances 2 --port 0: both workers online, children of the daemon, and answering")
    void seedAnswers() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            pm.cliOk("start", "seed", "--name", "web", "--instances", "2", "--port", "0", "--delay-ms", "1");
            long daemon = pm.daemonPid();
            try (PmWire wire = PmWire.connect(pm.socket())) {
                int port = wire.ok("describe", "{\"name\":\"web\"}").path("port").asInt();
                assertThat(port).as("web's port in describe").isPositive();
                Await.until(DEADLINE, () -> online(wire) == 2, "web's 2 instances never both showed online in list" + pm.daemonLogTail());
                Set<Long> answered = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    answered.add(fetch(port));
                }
                assertThat(answered).as("pids that answered 10 requests (round-robin over 2 workers)").hasSize(2);
                for (long pid : answered) {
                    Processes.Stat stat = Processes.stat(pid);
                    assertThat(stat).as("worker %d", pid).isNotNull();
                    assertThat(stat.parent()).as("the parent of worker %d: the daemon is the master", pid).isEqualTo(daemon);
                }
                Set<Long> listed = new HashSet<>();
                wire.ok("list", "{}").forEach(line -> listed.add(line.path("pid").asLong()));
                assertThat(listed).as("the pids list shows for web").containsAll(answered);
            }
        }
    }

    private static long online(PmWire wire) {
        try {
            long count = 0;
            for (JsonNode line : wire.ok("list", "{}")) {
                if (line.path("name").asText().equals("web") && line.path("status").asText().equals("online")) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }

    /** One request: connect, read the answer to end of file, return the worker's pid. */
    private static long fetch(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = ANSWER.matcher(answer);
            assertThat(m.find()).as("the answer on port %d: \"%s\"", port, answer).isTrue();
            return Long.parseLong(m.group(1));
        }
    }
}
