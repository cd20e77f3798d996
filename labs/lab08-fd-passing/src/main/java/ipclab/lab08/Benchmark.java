package ipclab.lab08;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;

/**
 * Round trips of passing one descriptor between two JVMs: the parent sends one byte with an open
 * descriptor of /dev/null attached, the responder closes the descriptor it received and answers
 * with one byte. For comparison, the same one-byte ping-pong without a descriptor over the same
 * kind of socket. One {@link RoundTripReport} line each.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        System.out.println(measure(false, options));
        System.out.println(measure(true, options));
    }

    private static RoundTripReport measure(boolean withDescriptor, BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport(withDescriptor ? "unix stream, 1 B + 1 fd" : "unix stream, 1 B", 1);
        String name = "ipclab-lab08-bench-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (AFUNIXServerSocketChannel server = FdChannel.listen(name);
             ChildProcess child = ChildJvm.main(Responder.class).args(name, Boolean.toString(withDescriptor)).start();
             FdChannel channel = acceptWithin(server, child);
             FileInputStream devNull = new FileInputStream("/dev/null")) {
            FileDescriptor passed = devNull.getFD();
            ByteBuffer ack = ByteBuffer.allocate(1);
            report.measure(options, i -> {
                byte[] ping = {(byte) i};
                if (withDescriptor) {
                    channel.send(ping, passed);
                } else {
                    channel.channel().write(ByteBuffer.wrap(ping));
                }
                ack.clear();
                if (channel.channel().read(ack) != 1 || ack.get(0) != (byte) i) {
                    throw new IOException("round trip " + i + ": the responder did not answer with the same byte");
                }
            });
            channel.channel().shutdownOutput(); // end of stream: the responder exits
            int status = child.waitFor(DEADLINE);
            if (status != 0) {
                throw new IllegalStateException("the responder exited with status " + status);
            }
        }
        return report;
    }

    /** accept(2), but never for ever: a responder that failed to start would hang the benchmark. */
    private static FdChannel acceptWithin(AFUNIXServerSocketChannel server, ChildProcess child) throws Exception {
        CompletableFuture<FdChannel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return FdChannel.accept(server);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> Thread.ofPlatform().daemon().start(runnable));
        CompletableFuture.anyOf(accepted, child.process().onExit()).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (!accepted.isDone()) {
            throw new IOException(child + " exited before it connected");
        }
        return accepted.join();
    }

    /** The other JVM: receives each byte (and descriptor), closes the descriptor, answers with the byte. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws IOException {
            boolean withDescriptor = Boolean.parseBoolean(args[1]);
            try (FdChannel channel = FdChannel.connect(args[0])) {
                ByteBuffer one = ByteBuffer.allocate(1);
                while (true) {
                    byte value;
                    if (withDescriptor) {
                        Received message;
                        try {
                            message = channel.receive(1);
                        } catch (java.io.EOFException end) {
                            return;
                        }
                        for (FileDescriptor fd : message.descriptors()) {
                            Descriptors.close(fd); // or they pile up: one new descriptor per round trip
                        }
                        value = message.data()[0];
                    } else {
                        one.clear();
                        if (channel.channel().read(one) < 0) {
                            return;
                        }
                        value = one.get(0);
                    }
                    channel.channel().write(ByteBuffer.wrap(new byte[] {value}));
                }
            }
        }
    }
}
