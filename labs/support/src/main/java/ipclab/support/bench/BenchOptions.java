package ipclab.support.bench;

/**
 * The command line every benchmark main takes: {@code --round-trips N} (default 100,000, the
 * ipc-bench count) and {@code --warmup N} (default 10,000 untimed round trips first, so the JIT
 * has compiled the loop before it is timed).
 */
public record BenchOptions(int roundTrips, int warmup) {

    public static BenchOptions parse(String[] args) {
        return new BenchOptions(intOption(args, "--round-trips", 100_000), intOption(args, "--warmup", 10_000));
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
