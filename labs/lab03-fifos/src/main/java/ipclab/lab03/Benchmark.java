package ipclab.lab03;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Ping-pong over a pair of FIFOs between two JVMs: this one writes a 100-byte message into the
 * {@code ping} FIFO, the responder reads it and writes it back into the {@code pong} FIFO, and the
 * round trip is timed. The same method as the public ipc-bench suite, so the numbers compare with
 * its FIFO figures (and with lab 02's pipes: a FIFO is a pipe, only opened by name).
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    static final int MESSAGE_BYTES = 100;

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        RoundTripReport report = new RoundTripReport("FIFO pair (2 JVMs)", MESSAGE_BYTES);
        Path dir = Files.createTempDirectory("ipclab-fifo-bench-");
        Path ping = dir.resolve("ping");
        Path pong = dir.resolve("pong");
        try {
            Fifo.create(ping, Fifo.OWNER_ONLY);
            Fifo.create(pong, Fifo.OWNER_ONLY);
            try (ChildProcess child = ChildJvm.main(Responder.class).args(ping.toString(), pong.toString()).start()) {
                // pong first, without waiting, so that the responder's open of pong for writing never waits for us.
                int fromChild = Fifo.openForReadingNonBlocking(pong);
                int toChild = -1;
                try {
                    toChild = openForWritingUnlessChildDies(ping, child);
                    Fifo.clearNonBlocking(fromChild);
                    pingPong(toChild, fromChild, options, report);
                } finally {
                    if (toChild >= 0) {
                        Libc.close(toChild); // end of file for the responder: it exits
                    }
                    Libc.close(fromChild);
                }
                int status = child.waitFor(Duration.ofSeconds(10));
                if (status != 0) {
                    throw new IllegalStateException("the responder exited with status " + status);
                }
            }
        } finally {
            Files.deleteIfExists(ping);
            Files.deleteIfExists(pong);
            Files.deleteIfExists(dir);
        }
        System.out.println(report);
    }

    /**
     * Opens {@code fifo} for writing, which waits until the responder opens it for reading. Should
     * the responder die first, nobody ever would: then a reader opened here for a moment ends the wait.
     */
    private static int openForWritingUnlessChildDies(Path fifo, ChildProcess child) throws ErrnoException {
        var watchdog = child.process().onExit().thenRun(() -> {
            try {
                Libc.close(Fifo.openForReadingNonBlocking(fifo));
            } catch (ErrnoException e) {
                // The FIFO is gone: nothing can be waiting on it.
            }
        });
        int fd = Fifo.openForWriting(fifo);
        watchdog.cancel(false);
        if (!child.process().isAlive()) {
            Libc.close(fd);
            throw new IllegalStateException("the responder exited before it opened " + fifo);
        }
        return fd;
    }

    private static void pingPong(int out, int in, BenchOptions options, RoundTripReport report) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ping = arena.allocate(MESSAGE_BYTES);
            MemorySegment pong = arena.allocate(MESSAGE_BYTES);
            report.measure(options, i -> roundTrip(i, out, in, ping, pong));
        }
    }

    /** One round trip; the message carries its number, so a wrong or stale reply is noticed. */
    private static void roundTrip(int number, int out, int in, MemorySegment ping, MemorySegment pong) throws IOException {
        ping.set(ValueLayout.JAVA_INT_UNALIGNED, 0, number);
        // 100 bytes, less than PIPE_BUF: one write(2) that is never cut short.
        Libc.write(out, ping, MESSAGE_BYTES);
        if (!readFully(in, pong)) {
            throw new IOException("the responder closed the pong FIFO in the middle of round trip " + number);
        }
        if (pong.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != number) {
            throw new IOException("round trip " + number + " came back with the wrong message");
        }
    }

    /** Reads exactly {@code buffer.byteSize()} bytes; {@code false} at end of file. */
    static boolean readFully(int fd, MemorySegment buffer) throws ErrnoException {
        long got = 0;
        while (got < buffer.byteSize()) {
            int n = Libc.read(fd, buffer.asSlice(got), buffer.byteSize() - got);
            if (n == 0) {
                return false;
            }
            got += n;
        }
        return true;
    }


    /** The child: {@code Responder PING PONG} echoes every 100-byte message from PING into PONG until end of file. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws IOException {
            int in = Fifo.openForReading(Path.of(args[0]));   // waits for the benchmark's open for writing
            int out = Fifo.openForWriting(Path.of(args[1]));  // the benchmark has it open for reading already
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment message = arena.allocate(MESSAGE_BYTES);
                while (readFully(in, message)) {
                    Libc.write(out, message, MESSAGE_BYTES);
                }
            } finally {
                Libc.close(out);
                Libc.close(in);
            }
        }
    }
}
