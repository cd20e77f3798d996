package ipclab.grader.runner;

import ipclab.support.RunTag;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Makes the JDK and junixsocket open, before the first test, the descriptors they open once and
 * keep: the spare socket NIO uses to close channels safely, the epoll instances that park virtual
 * threads on I/O, and the descriptor junixsocket keeps after its first server socket. Opened
 * during a test, they would look like that test's leaks.
 */
final class JdkWarmUp {

    private JdkWarmUp() {
    }

    static void run() throws IOException, InterruptedException {
        nioAndVirtualThreads();
        junixsocket();
    }

    private static void junixsocket() throws IOException {
        var name = AFUNIXSocketAddress.inAbstractNamespace(RunTag.uniqueName("warm-up"));
        try (AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open()) {
            server.bind(name);
            try (AFUNIXSocketChannel client = AFUNIXSocketChannel.open(name);
                 AFUNIXSocketChannel accepted = server.accept()) {
                accepted.getPeerCredentials();
            }
        }
    }

    private static void nioAndVirtualThreads() throws IOException, InterruptedException {
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
