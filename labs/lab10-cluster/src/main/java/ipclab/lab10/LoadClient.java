package ipclab.lab10;

import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A closed-loop load client for any server that answers like the seed program (this cluster, or a
 * Node cluster): each of {@code concurrency} threads connects, reads to EOF, records the latency
 * and which {@code worker-<pid>} answered, and connects again, until {@code connections} are done.
 *
 * <pre>LoadClient --host 127.0.0.1 --port 8989 --connections 10000 --concurrency 8</pre>
 */
public final class LoadClient {

    private static final Pattern WORKER = Pattern.compile("worker-(\\d+)");

    /** What a run measured: the latency report, connections per worker pid, and the ones that failed. */
    public record Result(RoundTripReport report, Map<Long, Long> shares, int failures) {

        /** {@code worker-4242 50.3%  worker-4243 49.7%}, sorted by pid. */
        public String sharesLine() {
            long total = shares.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder line = new StringBuilder();
            new TreeMap<>(shares).forEach((pid, count) -> line.append(String.format(Locale.ROOT,
                    "worker-%d %5.1f%% (%d)   ", pid, 100.0 * count / Math.max(1, total), count)));
            if (failures > 0) {
                line.append("failed ").append(failures);
            }
            return line.toString().strip();
        }
    }

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = option(args, "--host", "127.0.0.1");
        int port = Integer.parseInt(option(args, "--port", "8989"));
        int connections = Integer.parseInt(option(args, "--connections", "10000"));
        int concurrency = Integer.parseInt(option(args, "--concurrency", "8"));
        Result result = run(host, port, connections, concurrency, 0, "connect+answer " + host + ":" + port);
        System.out.println(result.report());
        System.out.println("shares: " + result.sharesLine());
    }

    /**
     * Runs {@code warmup} untimed connections, then {@code connections} timed ones, from
     * {@code concurrency} threads.
     */
    public static Result run(String host, int port, int connections, int concurrency, int warmup, String label)
            throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        drive(address, warmup, concurrency, null, new ConcurrentHashMap<>(), new AtomicInteger());
        RoundTripReport report = new RoundTripReport(label, 0);
        Map<Long, Long> shares = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        report.start();
        drive(address, connections, concurrency, report, shares, failures);
        report.stop();
        return new Result(report, Map.copyOf(shares), failures.get());
    }

    /** One connection: connect, read to EOF. The answer, or an exception when the server reset it. */
    public static String fetch(InetSocketAddress address) throws IOException {
        try (SocketChannel socket = SocketChannel.open(address)) {
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (socket.read(buffer) >= 0) {
                if (!buffer.hasRemaining()) {
                    break;
                }
            }
            buffer.flip();
            return StandardCharsets.UTF_8.decode(buffer).toString();
        }
    }

    /** The worker pid an answer names, or -1. */
    public static long workerPid(String answer) {
        Matcher m = WORKER.matcher(answer);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void drive(InetSocketAddress address, int count, int concurrency, RoundTripReport report,
                              Map<Long, Long> shares, AtomicInteger failures) throws InterruptedException {
        AtomicLong remaining = new AtomicLong(count);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                while (remaining.getAndDecrement() > 0) {
                    long begin = System.nanoTime();
                    try {
                        long pid = workerPid(fetch(address));
                        long took = System.nanoTime() - begin;
                        if (pid < 0) {
                            failures.incrementAndGet();
                            continue;
                        }
                        shares.merge(pid, 1L, Long::sum);
                        if (report != null) {
                            synchronized (report) { // HdrHistogram's Histogram is not thread-safe
                                report.record(took);
                            }
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
