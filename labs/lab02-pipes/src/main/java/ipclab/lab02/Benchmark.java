package ipclab.lab02;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Ping-pong over pipes between two JVMs: this one sends a 100-byte message down the child's stdin
 * pipe, the child sends it back up its stdout pipe, and the round trip is timed. The same method
 * as the public ipc-bench suite, so the numbers compare with its pipe figures.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    static final int MESSAGE_BYTES = 100;

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        RoundTripReport report = new RoundTripReport("pipe (stdin/stdout, 2 JVMs)", MESSAGE_BYTES);
        try (ChildProcess child = ChildJvm.main(Responder.class).start()) {
            // The JDK's streams to a child are buffered: one write(2) per flush, reads as they come.
            OutputStream toChild = child.process().getOutputStream();
            InputStream fromChild = child.process().getInputStream();
            byte[] ping = new byte[MESSAGE_BYTES];
            byte[] pong = new byte[MESSAGE_BYTES];
            report.measure(options, i -> roundTrip(i, toChild, fromChild, ping, pong));
            toChild.close(); // end of file: the responder exits
            int status = child.waitFor(Duration.ofSeconds(10));
            if (status != 0) {
                throw new IllegalStateException("the responder exited with status " + status);
            }
        }
        System.out.println(report);
    }

    /** One round trip; the message carries its number, so a wrong or stale reply is noticed. */
    private static void roundTrip(int number, OutputStream out, InputStream in, byte[] ping, byte[] pong) throws IOException {
        ping[0] = (byte) (number >>> 24);
        ping[1] = (byte) (number >>> 16);
        ping[2] = (byte) (number >>> 8);
        ping[3] = (byte) number;
        out.write(ping);
        out.flush();
        if (in.readNBytes(pong, 0, MESSAGE_BYTES) != MESSAGE_BYTES) {
            throw new IOException("the responder closed its stdout in the middle of round trip " + number);
        }
        if (pong[0] != ping[0] || pong[1] != ping[1] || pong[2] != ping[2] || pong[3] != ping[3]) {
            throw new IOException("round trip " + number + " came back with the wrong message");
        }
    }


    /** The child: echoes every 100-byte message from stdin to stdout until stdin ends. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws IOException {
            // Unbuffered streams on the raw descriptors: one read(2) and one write(2) per message,
            // and no copy into a buffer in between.
            InputStream in = new FileInputStream(FileDescriptor.in);
            OutputStream out = new FileOutputStream(FileDescriptor.out);
            byte[] message = new byte[MESSAGE_BYTES];
            while (in.readNBytes(message, 0, MESSAGE_BYTES) == MESSAGE_BYTES) {
                out.write(message);
            }
        }
    }
}
