package ipclab.support.bench;

import ipclab.support.cli.MainArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line every round-trip benchmark takes: {@code --round-trips N} (default 100,000, the
 * ipc-bench count) and {@code --warmup N} (default 10,000 untimed round trips first, so the JIT has
 * compiled the loop before it is timed). {@code --help} says so; anything else is refused.
 */
@Command(sortOptions = false,
        description = "Measures round trips of 100-byte messages between two processes and prints the latency"
                + " percentiles (HdrHistogram) and the throughput.")
public final class BenchOptions {

    @Option(names = "--round-trips", paramLabel = "N", description = "timed round trips (default: ${DEFAULT-VALUE})")
    private int roundTrips = 100_000;

    @Option(names = "--warmup", paramLabel = "N",
            description = "untimed round trips first, so the JIT has compiled the loop (default: ${DEFAULT-VALUE})")
    private int warmup = 10_000;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    private boolean help;

    private BenchOptions() {
    }

    public BenchOptions(int roundTrips, int warmup) {
        this.roundTrips = roundTrips;
        this.warmup = warmup;
    }

    /** The options of a benchmark's {@code main}; exits with the usage on {@code --help} or a wrong option. */
    public static BenchOptions parse(String[] args) {
        return MainArgs.parse(new BenchOptions(), args);
    }

    public int roundTrips() {
        return roundTrips;
    }

    public int warmup() {
        return warmup;
    }
}
