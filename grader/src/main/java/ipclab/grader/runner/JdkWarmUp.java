package ipclab.grader.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;

/**
 * Makes the JDK open, before the first test, the descriptors it opens once and keeps: the
 * spare socket NIO uses to close channels safely, and the epoll instances that park virtual
 * threads on I/O. Opened during a test, they would look like that test's leaks.
 */
final class JdkWarmUp {

    private JdkWarmUp() {
    }

    static void run() throws IOException, InterruptedException {
        Pipe pipe = Pipe.open();
        try (var source = pipe.source(); var sink = pipe.sink()) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    source.read(ByteBuffer.allocate(1)); // parks on the poller until the byte arrives
                } catch (IOException ignored) {
                    // The warm-up only needs the attempt.
                }
            });
            waitUntilParked(reader);
            sink.write(ByteBuffer.wrap(new byte[] {1}));
            reader.join(Duration.ofSeconds(10));
        }
    }

    private static void waitUntilParked(Thread reader) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }
}
