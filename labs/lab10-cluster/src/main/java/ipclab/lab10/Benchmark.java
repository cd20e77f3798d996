package ipclab.lab10;

import ipclab.support.cli.MainArgs;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ipclab bench cluster}: connections per second, p50/p99 and per-worker shares for each
 * scheduling, with 0 ms and 10 ms of "work" per request.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N] [--workers N]
 * Benchmark --target HOST:PORT [--round-trips N] [--warmup N] [--concurrency N]</pre>
 *
 * A "round trip" here is one whole connection: connect, read the answer, EOF. Default: 20,000
 * connections per configuration without delay, 2,000 with 10 ms; {@code --round-trips} sets both.
 * Closed loop: 4 client threads without delay, 16 with (more in flight, or the delay alone sets the pace).
 * With {@code --target}, no cluster is started: the load client measures a server that runs
 * already (the Node seed program, {@code docs/bench/cluster_seed.js}, or {@code ./ipclab serve}).
 */
public final class Benchmark {

    private Benchmark() {
    }

    /** The command line; {@code --help} prints it. */
    @Command(sortOptions = false, description = "Connections per second, p50/p99 and per-worker shares of the cluster"
            + " server for each scheduling, with 0 ms and 10 ms of work per request; or of a server already running.")
    static final class Options {
        @Option(names = "--round-trips", paramLabel = "N",
                description = "connections per configuration (default: 20000 without delay, 2000 with 10 ms)")
        Integer roundTrips;

        @Option(names = "--warmup", paramLabel = "N", description = "untimed connections first (default: ${DEFAULT-VALUE})")
        int warmup = 500;

        @Option(names = "--workers", paramLabel = "N", description = "worker processes (default: ${DEFAULT-VALUE})")
        int workers = 2;

        @Option(names = "--target", paramLabel = "HOST:PORT",
                description = "measure a server that runs already (./ipclab serve, the Node seed program) instead")
        String target;

        @Option(names = "--concurrency", paramLabel = "N", description = "with --target: client threads (default: ${DEFAULT-VALUE})")
        int concurrency = 4;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
    }

    public static void main(String[] args) throws Exception {
        Options options = MainArgs.parse(new Options(), args);
        Integer roundTrips = options.roundTrips;
        int warmup = options.warmup;
        int workers = options.workers;
        if (options.target != null) {
            String target = options.target;
            int colon = target.lastIndexOf(':');
            if (colon <= 0) {
                System.err.println("--target takes HOST:PORT, e.g. 127.0.0.1:8989, not '" + target + "'");
                System.exit(2);
            }
            String host = target.substring(0, colon);
            int port = Integer.parseInt(target.substring(colon + 1));
            int concurrency = options.concurrency;
            LoadClient.Result result = LoadClient.run(host, port, roundTrips != null ? roundTrips : 20_000, concurrency, warmup,
                    String.format("%s x%d", target, concurrency));
            System.out.println(result.report());
            System.out.println("    shares: " + result.sharesLine());
            return;
        }
        System.out.println("cluster benchmark: " + workers + " workers, one connection = connect + answer + EOF");
        for (long delayMs : new long[] {0, 10}) {
            int connections = roundTrips != null ? roundTrips : delayMs == 0 ? 20_000 : 2_000;
            int concurrency = delayMs == 0 ? 4 : 16;
            for (Scheduling scheduling : Scheduling.values()) {
                run(scheduling, workers, delayMs, connections, concurrency, warmup);
            }
        }
    }

    private static void run(Scheduling scheduling, int workers, long delayMs, int connections, int concurrency, int warmup)
            throws Exception {
        CountDownLatch listening = new CountDownLatch(workers);
        ClusterEvents ready = new ClusterEvents() {
            @Override
            public void listening(WorkerHandle worker, int port) {
                listening.countDown();
            }
        };
        ClusterOptions options = ClusterOptions.defaults().withWorkers(workers).withScheduling(scheduling)
                .withDelay(Duration.ofMillis(delayMs));
        try (Cluster cluster = Cluster.start(options, ready)) {
            if (!listening.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(scheduling.cliName() + ": the workers did not start listening within 30 s");
            }
            String label = String.format("%-9s %2d ms x%-2d", scheduling.cliName(), delayMs, concurrency);
            LoadClient.Result result = LoadClient.run(ClusterOptions.LOOPBACK, cluster.port(), connections, concurrency, warmup, label);
            System.out.println(result.report());
            System.out.println("    shares: " + result.sharesLine());
        }
    }
}
