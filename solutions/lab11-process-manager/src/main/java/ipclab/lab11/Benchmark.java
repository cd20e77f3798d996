package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * {@code ./ipclab bench process-manager}: what the daemon costs its clients and its apps.
 * <ul>
 * <li>the {@code ping} round trip over {@code rpc.sock}: a request encoded as JSON, one seqpacket
 *     datagram each way, decoded and answered on the daemon's loop (p50, p99, p99.9 with HdrHistogram;
 *     {@code --round-trips N --warmup N} as every benchmark of the course);</li>
 * <li>exit → restart of a fork-mode app ({@code sh -c 'exit 0'}, min-uptime 0): from the {@code exit}
 *     event to the {@code launch} of the next run, less the back-off delay the policy planned. The
 *     back-off cannot be switched off (its first delay is 100 ms), so the delay is reported apart and
 *     the app is deleted and started again every {@value #RESTARTS_PER_RUN} restarts, before it grows.
 *     Both events reach this client on the same connection, so their arrival times differ by what the
 *     daemon did in between: notice the exit (pidfd), publish, wait, spawn, publish.</li>
 * </ul>
 * Nothing is pinned: the kernel places this JVM, the daemon and the app; {@code taskset -c} pins them
 * all (the daemon and its apps inherit the CPU mask). A temporary home, removed at the end. Given code.
 */
public final class Benchmark {

    /** Measured restarts: a few seconds, however many round trips were asked for. */
    private static final int RESTARTS = 30;
    /** Restarts of one run of the app before it is started afresh: delays of 100, 150 and 225 ms. */
    private static final int RESTARTS_PER_RUN = 3;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        try (ScratchHome scratch = ScratchHome.create("ipclab-pm-bench-")) {
            try (ControlClient client = scratch.client()) {
                long daemon = client.call("ping").path("pid").asLong();
                System.out.println("process manager benchmark: this JVM (pid " + ProcessHandle.current().pid() + ") and daemon "
                        + daemon + ", not pinned: CPUs allowed " + cpus(ProcessHandle.current().pid()) + " and " + cpus(daemon)
                        + " (taskset -c pins both, and the apps)");
                System.out.println(ping(client, options));
                restarts(scratch, client);
            }
        }
    }

    private static RoundTripReport ping(ControlClient client, BenchOptions options) throws Exception {
        int requestBytes = Json.MAPPER.writeValueAsBytes(request()).length;
        return new RoundTripReport("ping over rpc.sock (JSON)", requestBytes).measure(options, number -> client.call("ping"));
    }

    /** A {@code ping} request as {@link ControlClient} sends it, for its size. */
    private static ObjectNode request() {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("id", 1);
        request.put("verb", "ping");
        request.set("args", JsonNodeFactory.instance.objectNode());
        return request;
    }

    private static void restarts(ScratchHome scratch, ControlClient client) throws Exception {
        Histogram beyondDelay = new Histogram(Duration.ofSeconds(10).toNanos(), 3);
        Histogram delays = new Histogram(Duration.ofMinutes(1).toMillis(), 3);
        ObjectNode spec = PmApps.named("bounce");
        spec.put("mode", "fork");
        spec.set("command", Json.MAPPER.valueToTree(List.of("sh", "-c", "exit 0")));
        spec.put("minUptimeMs", 0);
        try (ControlClient events = scratch.subscribe()) {
            while (beyondDelay.getTotalCount() < RESTARTS) {
                client.call("start", spec);
                long exitedAt = -1;
                int measured = 0;
                while (measured < RESTARTS_PER_RUN) {
                    JsonNode event = ScratchHome.nextEvent(events, WAIT);
                    long now = System.nanoTime();
                    switch (event.path("type").asText()) {
                        case "exit" -> exitedAt = now;
                        case "launch" -> {
                            long delayMs = event.path("delayMs").asLong();
                            if (delayMs > 0 && exitedAt >= 0) {
                                beyondDelay.recordValue(Math.max(0, now - exitedAt - delayMs * 1_000_000));
                                delays.recordValue(delayMs);
                                measured++;
                            }
                        }
                        default -> {
                        }
                    }
                }
                client.call("delete", PmApps.named("bounce"));
                drainUntilStopped(events);
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "%-28s %8d restarts        p50 %7.1f µs   p99 %7.1f µs   p99.9 %8.1f µs   max %9.1f µs   beyond the back-off delay",
                "exit → launch (fork, sh)", beyondDelay.getTotalCount(), micros(beyondDelay, 50), micros(beyondDelay, 99),
                micros(beyondDelay, 99.9), beyondDelay.getMaxValue() / 1_000.0));
        System.out.println(String.format(Locale.ROOT, "%-28s planned delays of %d to %d ms (mean %.0f ms): pm2's back-off, from 100 ms",
                "", delays.getMinValue(), delays.getMaxValue(), delays.getMean()));
    }

    /** Skips the events of the app's deletion: {@code delete} answers once it is stopped, the events may come later. */
    private static void drainUntilStopped(ControlClient events) throws IOException {
        while (!ScratchHome.nextEvent(events, WAIT).path("type").asText().equals("stopped")) {
            // an exit, a launch or a stopping of the run being deleted
        }
    }

    private static double micros(Histogram nanos, double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1_000.0;
    }

    /** The CPUs {@code pid} may run on, as /proc says ({@code Cpus_allowed_list}). */
    private static String cpus(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "?";
    }
}
