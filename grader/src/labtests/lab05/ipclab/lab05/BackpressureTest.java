package ipclab.lab05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackpressureTest {

    private static final int CAP = 64 * 1024;
    private static final int TOTAL = 4 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    @Graded(points = 12, handout = "Step 7: Backpressure")
    @DisplayName("a client that does not read makes the server stop reading from it with at most the cap buffered; all arrives once it reads")
    void slowReaderIsPushedBack() throws Exception {
        Path path = dir.resolve("slow.sock");
        byte[] data = new byte[TOTAL];
        for (int i = 0; i < TOTAL; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        // The server owns the listener once started; closing it here too is harmless, and closes it if start fails.
        try (ServerSocketChannel listener = TestKit.rawListener(path);
             EventLoopServer server = EventLoopServer.start(listener, CAP);
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
             Selector selector = Selector.open()) {
            client.configureBlocking(false);
            SelectionKey key = client.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer toSend = ByteBuffer.wrap(data);

            // Phase 1: write without reading, until the server says it has paused this connection.
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (server.pausedConnections() == 0 && toSend.hasRemaining()) {
                if (client.write(toSend) == 0) {
                    selector.select(50); // the socket is full: wait (briefly) for room or for the server to pause
                    selector.selectedKeys().clear();
                }
                if (System.nanoTime() > end) {
                    fail("after 15 s the server had neither paused reading from the client nor taken all its bytes");
                }
            }
            if (!toSend.hasRemaining()) {
                fail("the server took all " + TOTAL + " bytes from a client that read none of its replies, and holds "
                        + server.bufferedBytes() + " bytes for it (cap " + CAP + "). When a connection's output buffer is full,"
                        + " take OP_READ out of its interest set: then the client's writes block in the kernel instead");
            }
            assertThat(server.pausedConnections()).as("connections paused while the client reads nothing").isEqualTo(1);
            assertThat(server.bufferedBytes())
                    .as("reply bytes the server holds for a client that reads nothing: at most the cap (%d)", CAP)
                    .isLessThanOrEqualTo(CAP);
            assertThat(server.peakBufferedBytes()).as("the most one connection ever held").isLessThanOrEqualTo(CAP);
            int stillToSend = toSend.remaining();
            assertThat(stillToSend).as("bytes the client could not send yet: backpressure reached it").isPositive();

            // Phase 2: read everything while sending the rest.
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            ByteBuffer received = ByteBuffer.allocate(TOTAL);
            end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (received.hasRemaining()) {
                if (System.nanoTime() > end) {
                    fail("the client read " + received.position() + " of " + TOTAL + " reply bytes in 20 s and then no more"
                            + " arrived: once the output buffer drains, put OP_READ back into the interest set"
                            + " (paused connections now: " + server.pausedConnections() + ")");
                }
                selector.select(100);
                selector.selectedKeys().clear();
                if (client.read(received) < 0) {
                    fail("the server closed the connection after " + received.position() + " reply bytes");
                }
                if (toSend.hasRemaining()) {
                    client.write(toSend);
                } else {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            for (int i = 0; i < TOTAL; i++) {
                if (received.get(i) != (byte) ('A' + i % 26)) {
                    fail("reply byte " + i + " is '" + (char) received.get(i) + "', expected '" + (char) ('A' + i % 26)
                            + "': replies must keep the order of the input, upper-cased");
                }
            }
            assertThat(server.pausedConnections()).as("paused connections after the client read everything").isZero();
            assertThat(server.peakBufferedBytes()).as("the most one connection ever held, over the whole run").isLessThanOrEqualTo(CAP);
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
