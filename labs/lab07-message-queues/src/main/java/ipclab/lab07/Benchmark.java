package ipclab.lab07;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ScratchFolder;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import ipclab.support.bench.Stamp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Three measurements between two JVMs, 100-byte messages:
 * <ol>
 *   <li>ping-pong over a pair of POSIX message queues (your {@link PosixQueue}), as ipc-bench does;</li>
 *   <li>Chronicle Queue one-way latency: this JVM appends, paced, each message stamped with
 *       {@link System#nanoTime()}; a reader in another JVM subtracts the stamp from its own clock
 *       (one machine, one monotonic clock) — so these are <em>one-way</em> times, not round trips;</li>
 *   <li>Chronicle Queue throughput: the same, unpaced, timed from the first stamp to the last arrival.</li>
 * </ol>
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    static final int MESSAGE_BYTES = 100;
    /** Pace of the latency run: at most one message every 20 µs, slow enough that the reader is never behind. */
    static final long LATENCY_GAP_NANOS = 20_000;
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        System.out.println(posixQueues(options));
        chronicle(options);
    }

    // ---- POSIX queues: ping-pong -------------------------------------------------------------

    private static RoundTripReport posixQueues(BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport("POSIX mq ping-pong (2 JVMs)", MESSAGE_BYTES);
        String pingName = PosixQueue.uniqueName("bench-ping");
        String pongName = PosixQueue.uniqueName("bench-pong");
        try (PosixQueue ping = PosixQueue.create(pingName, 10, 128);
             PosixQueue pong = PosixQueue.create(pongName, 10, 128);
             ChildProcess child = ChildJvm.main(MqResponder.class).args(pingName, pongName).start()) {
            byte[] message = new byte[MESSAGE_BYTES];
            report.measure(options, i -> {
                Stamp.put(message, i);
                ping.send(message, 0);
                byte[] reply = pong.receive(PATIENCE).orElseThrow(
                        () -> new IllegalStateException("no reply from the responder within " + PATIENCE)).body();
                if (reply.length != MESSAGE_BYTES || !Stamp.same(message, reply)) {
                    throw new IllegalStateException("round trip " + i + " came back with the wrong message");
                }
            });
            ping.send(new byte[0], 0); // an empty message: the responder's cue to stop
            int status = child.waitFor(Duration.ofSeconds(10));
            if (status != 0) {
                throw new IllegalStateException("the message queue responder exited with status " + status);
            }
        } finally {
            PosixQueue.unlink(pingName);
            PosixQueue.unlink(pongName);
        }
        return report;
    }

    /** The child for POSIX queues: receives each message from the ping queue and sends it to the pong queue. */
    public static final class MqResponder {

        private MqResponder() {
        }

        public static void main(String[] args) throws Exception {
            try (PosixQueue ping = PosixQueue.open(args[0], false);
                 PosixQueue pong = PosixQueue.open(args[1], false)) {
                while (true) {
                    Optional<Message> message = ping.receive(Duration.ofMinutes(5));
                    if (message.isEmpty() || message.get().body().length == 0) {
                        return;
                    }
                    pong.send(message.get().body(), 0);
                }
            }
        }
    }

    // ---- Chronicle Queue: one-way latency and throughput -----------------------------------

    private static void chronicle(BenchOptions options) throws Exception {
        int latencyMessages = options.warmup() + options.roundTrips();
        int throughputMessages = options.roundTrips();
        try (ScratchFolder scratch = ScratchFolder.create("ipclab-bench-journal");
             ChronicleQueue queue = Journal.open(scratch.path());
             ExcerptAppender appender = queue.createAppender();
             ChildProcess reader = ChildJvm.main(ChronicleReader.class).args(scratch.toString(),
                     Integer.toString(options.warmup()), Integer.toString(options.roundTrips()),
                     Integer.toString(throughputMessages)).start()) {
            BufferedReader out = new BufferedReader(
                    new InputStreamReader(reader.process().getInputStream(), StandardCharsets.UTF_8));
            expect(out, "ready");
            byte[] payload = new byte[MESSAGE_BYTES - Long.BYTES];
            long next = System.nanoTime();
            for (int i = 0; i < latencyMessages; i++) {
                // Sleep rather than spin: on a small machine a spinning writer takes the core the reader needs.
                for (long wait = next - System.nanoTime(); wait > 0; wait = next - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                append(appender, payload);
                next += LATENCY_GAP_NANOS;
            }
            for (int i = 0; i < throughputMessages; i++) {
                append(appender, payload);
            }
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                System.out.println(line);
            }
            int status = reader.waitFor(PATIENCE);
            if (status != 0) {
                throw new IllegalStateException("the Chronicle reader exited with status " + status);
            }
        }
    }

    /** One document: the writer's clock, then the rest of the 100 bytes. */
    private static void append(ExcerptAppender appender, byte[] payload) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.writeLong(System.nanoTime());
            bytes.write(payload);
        }
    }

    /** The child for Chronicle: tails the queue, and measures how long each message took to arrive. */
    public static final class ChronicleReader {

        private ChronicleReader() {
        }

        public static void main(String[] args) {
            int warmup = Integer.parseInt(args[1]);
            int timed = Integer.parseInt(args[2]);
            int throughputMessages = Integer.parseInt(args[3]);
            RoundTripReport latency = new RoundTripReport("Chronicle one-way (2 JVMs)", MESSAGE_BYTES);
            try (ChronicleQueue queue = Journal.open(Path.of(args[0]));
                 ExcerptTailer tailer = queue.createTailer()) {
                System.out.println("ready");
                System.out.flush();
                for (int i = 0; i < warmup; i++) {
                    readStamp(tailer);
                }
                latency.start();
                for (int i = 0; i < timed; i++) {
                    long stamp = readStamp(tailer);
                    latency.record(System.nanoTime() - stamp);
                }
                latency.stop();
                System.out.println(latency + "  (one-way, not round trips)");

                long first = readStamp(tailer);
                for (int i = 1; i < throughputMessages; i++) {
                    readStamp(tailer);
                }
                long elapsed = System.nanoTime() - first;
                System.out.printf(Locale.ROOT, "%-28s %4d B %8d messages      %,.0f messages/s (first write to last read)%n",
                        "Chronicle throughput", MESSAGE_BYTES, throughputMessages, throughputMessages * 1e9 / elapsed);
            }
        }

        /** Spins until the next document is there and returns its stamp. */
        private static long readStamp(ExcerptTailer tailer) {
            long giveUp = System.nanoTime() + PATIENCE.toNanos();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        return dc.wire().bytes().readLong();
                    }
                }
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException("no message for " + PATIENCE + ": has the writer stopped?");
                }
                Thread.onSpinWait();
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static void expect(BufferedReader in, String wanted) throws IOException {
        String line = in.readLine();
        if (!wanted.equals(line)) {
            throw new IllegalStateException("expected '" + wanted + "' from the child, got " + line);
        }
    }
}
