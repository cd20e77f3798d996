package ipclab.lab04;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.PipeRoundTrips;
import ipclab.support.bench.RoundTripReport;
import ipclab.support.bench.Stamp;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Ping-pong of 100-byte messages between two JVMs, first through shared memory (two of your
 * {@link RingBuffer}s in one mapped file, one each way), then through a pair of pipes (the child's
 * stdin and stdout, as in lab 02), so the two numbers stand side by side.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    static final int MESSAGE_BYTES = 100;
    static final int SLOTS = 64;
    static final int SLOT_BYTES = 104; // 4 bytes of length + 100, rounded up to a multiple of 8
    /** The second ring starts on its own page, well away from the first ring's counters. */
    static final long SECOND_RING_OFFSET = 16 * 1024;
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        System.out.println(sharedMemory(options));
        System.out.println(PipeRoundTrips.measure(options));
    }

    private static RoundTripReport sharedMemory(BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport("shared memory (SPSC rings, 2 JVMs)", MESSAGE_BYTES);
        Path file = SharedRegion.newShmPath("bench");
        try (SharedRegion region = SharedRegion.create(file, SECOND_RING_OFFSET * 2);
             ChildProcess child = ChildJvm.main(ShmResponder.class).args(file.toString()).start()) {
            RingBuffer toChild = pingRing(region.segment());
            RingBuffer fromChild = pongRing(region.segment());
            byte[] ping = new byte[MESSAGE_BYTES];
            byte[] pong = new byte[MESSAGE_BYTES];
            report.measure(options, i -> roundTrip(i, toChild, fromChild, ping, pong));
            toChild.put(new byte[0], PATIENCE); // an empty record: the responder's cue to stop
            int status = child.waitFor(Duration.ofSeconds(10));
            if (status != 0) {
                throw new IllegalStateException("the shared-memory responder exited with status " + status);
            }
        }
        return report;
    }

    static RingBuffer pingRing(MemorySegment shared) {
        return new RingBuffer(shared.asSlice(0, SECOND_RING_OFFSET), SLOTS, SLOT_BYTES);
    }

    static RingBuffer pongRing(MemorySegment shared) {
        return new RingBuffer(shared.asSlice(SECOND_RING_OFFSET, SECOND_RING_OFFSET), SLOTS, SLOT_BYTES);
    }

    private static void roundTrip(int number, RingBuffer out, RingBuffer in, byte[] ping, byte[] pong) throws TimeoutException {
        Stamp.put(ping, number);
        out.put(ping, PATIENCE);
        if (in.take(pong, PATIENCE) != MESSAGE_BYTES || !Stamp.same(ping, pong)) {
            throw new IllegalStateException("round trip " + number + " came back with the wrong message");
        }
    }

    /** The child for shared memory: takes each message from the ping ring and puts it into the pong ring. */
    public static final class ShmResponder {

        private ShmResponder() {
        }

        public static void main(String[] args) throws Exception {
            try (SharedRegion region = SharedRegion.open(Path.of(args[0]))) {
                RingBuffer in = pingRing(region.segment());
                RingBuffer out = pongRing(region.segment());
                byte[] message = new byte[MESSAGE_BYTES];
                // Every message is 100 bytes; the parent's empty record ends the run.
                while (in.take(message, Duration.ofMinutes(5)) == MESSAGE_BYTES) {
                    out.put(message, PATIENCE);
                }
            }
        }
    }
}
