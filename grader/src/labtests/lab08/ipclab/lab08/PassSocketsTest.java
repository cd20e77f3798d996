package ipclab.lab08;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassSocketsTest {

    private static final String STEP = "Step 3: Use what you received";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("a connected socket passed to a child JVM: our peer talks to the child, and sees EOF when the child closes it")
    void connectedSocket() throws Exception {
        Path path = dir.resolve("peer.sock");
        try (TestKit.Link link = TestKit.Link.start("talk");
             ServerSocketChannel server = listener(path);
             SocketChannel ours = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            try (SocketChannel handed = Await.within(TestKit.DEADLINE, "accept on our own socket", server::accept)) {
                link.channel().send("socket".getBytes(StandardCharsets.UTF_8), Descriptors.of(handed));
            } // our copy of the accepted end is closed: only the child holds it now
            ours.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.UTF_8)));
            String answer = Await.within(TestKit.DEADLINE,
                    "no answer on the socket we handed over: did the child turn the descriptor into a socket (Handles.asSocket)?",
                    () -> readToEnd(ours));
            assertThat(answer)
                    .as("the child read our line from the socket it received and answered; then it closed it and, since we "
                            + "had closed our copy, we saw EOF. A hang here means a copy of that socket is still open somewhere")
                    .isEqualTo("pong from " + link.pid() + " to ping\n");
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("a listening socket passed to a child JVM: the child accepts our client on it")
    void listeningSocket() throws Exception {
        Path path = dir.resolve("service.sock");
        try (TestKit.Link link = TestKit.Link.start("accept")) {
            try (ServerSocketChannel listener = listener(path)) {
                link.channel().send("listener".getBytes(StandardCharsets.UTF_8), Descriptors.of(listener));
            } // closed here: the socket and its queue of waiting clients now live on in the child's copy
            assertThat(link.line("the child did not say it was ready: did Handles.asListener work?")).isEqualTo("ready");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertThat(Await.within(TestKit.DEADLINE, "the child did not answer our client", () -> readToEnd(client)))
                        .as("the child accept(2)ed on the listening socket it received, although we created and bound it")
                        .isEqualTo("accepted by " + link.pid() + "\n");
            }
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }

    /** A plain JDK listener: its close() is a plain close(2), so passing it on and closing ours is safe. */
    static ServerSocketChannel listener(Path path) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            return server.bind(UnixDomainSocketAddress.of(path));
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    static String readToEnd(ReadableByteChannel channel) throws Exception {
        ByteBuffer all = ByteBuffer.allocate(4096);
        while (all.hasRemaining() && channel.read(all) >= 0) {
            // until the peer closes
        }
        return new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
    }
}
