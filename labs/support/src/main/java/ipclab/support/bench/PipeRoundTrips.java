package ipclab.support.bench;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The pipe benchmark, the yardstick other mechanisms are measured against (lab 02 on its own, lab 04
 * beside shared memory): 100-byte round trips to a child JVM over its stdin and stdout.
 */
public final class PipeRoundTrips {

    /** The size of a benchmark message, as in the ipc-bench suite. */
    public static final int MESSAGE_BYTES = 100;

    private PipeRoundTrips() {
    }

    /** Starts an {@link Echo} child and times round trips to it. */
    public static RoundTripReport measure(BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport("pipe (stdin/stdout, 2 JVMs)", MESSAGE_BYTES);
        try (ChildProcess child = ChildJvm.main(Echo.class).start()) {
            // The JDK's streams to a child are buffered: one write(2) per flush, reads as they come.
            OutputStream toChild = child.process().getOutputStream();
            InputStream fromChild = child.process().getInputStream();
            byte[] ping = new byte[MESSAGE_BYTES];
            byte[] pong = new byte[MESSAGE_BYTES];
            report.measure(options, i -> roundTrip(i, toChild, fromChild, ping, pong));
            toChild.close(); // end of file: the child exits
            int status = child.waitFor(Duration.ofSeconds(10));
            if (status != 0) {
                throw new IllegalStateException("the echoing child exited with status " + status);
            }
        }
        return report;
    }

    private static void roundTrip(int number, OutputStream out, InputStream in, byte[] ping, byte[] pong) throws IOException {
        Stamp.put(ping, number);
        out.write(ping);
        out.flush();
        if (in.readNBytes(pong, 0, MESSAGE_BYTES) != MESSAGE_BYTES || !Stamp.same(ping, pong)) {
            throw new IOException("round trip " + number + " came back with the wrong message (or none)");
        }
    }

    /** The child: echoes every message from its stdin to its stdout until stdin ends. */
    public static final class Echo {

        private Echo() {
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
