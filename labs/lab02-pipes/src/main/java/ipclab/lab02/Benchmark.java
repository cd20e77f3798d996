package ipclab.lab02;

import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.PipeRoundTrips;

/**
 * Ping-pong over pipes between two JVMs: this one sends a 100-byte message down the child's stdin
 * pipe, the child sends it back up its stdout pipe, and the round trip is timed. The same method
 * as the public ipc-bench suite, so the numbers compare with its pipe figures. The code is
 * {@link PipeRoundTrips} in the support module: lab 04 measures shared memory against it too.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(PipeRoundTrips.measure(BenchOptions.parse(args)));
    }
}
