package ipclab.lab05;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BoundariesTest {

    private static final String STEP = "Step 3: Streams and messages";
    private static final List<byte[]> MESSAGES = List.of(bytes("first message"), bytes("second"), bytes("and the third one"));
    private static final int TOTAL = MESSAGES.stream().mapToInt(m -> m.length).sum();

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("three writes arrive as one read on a Unix stream socketpair, and as three reads on datagram and seqpacket ones")
    void unixKindsAndTheirBoundaries() throws Exception {
        for (SocketKind kind : List.of(SocketKind.UNIX_STREAM, SocketKind.UNIX_DATAGRAM, SocketKind.UNIX_SEQPACKET)) {
            try (EndpointPair pair = Boundaries.pair(kind)) {
                for (Endpoint end : List.of(pair.first(), pair.second())) {
                    assertThat(end).as("%s: the ends of a socketpair are raw descriptors (Endpoint.ofDescriptor)", kind)
                            .isInstanceOf(Endpoint.Descriptor.class);
                    long inode = TestKit.socketInode(((Endpoint.Descriptor) end).fd());
                    assertThat(inode).as("%s: /proc/self/fd/%d should be a socket", kind, ((Endpoint.Descriptor) end).fd())
                            .isPositive();
                    assertThat(TestKit.unixSocketType(inode))
                            .as("%s: /proc/net/unix gives the socket's type (1 stream, 2 datagram, 5 seqpacket):"
                                    + " pass kind.unixType() to socketpair", kind)
                            .isEqualTo(kind.unixType());
                }
                Boundaries.sendEach(pair.first(), MESSAGES);
                List<byte[]> reads = Await.within(java.time.Duration.ofSeconds(10),
                        kind + ": receive did not return after all " + TOTAL + " bytes were sent",
                        () -> Boundaries.receive(pair.second(), TOTAL));
                List<String> seen = reads.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
                if (kind.keepsMessageBoundaries()) {
                    assertThat(seen).as("%s keeps message boundaries: each read(2) should return exactly one message", kind)
                            .containsExactly("first message", "second", "and the third one");
                } else {
                    assertThat(seen)
                            .as("a Unix stream socket keeps no boundaries: the three writes wait in the socket as bytes, and one"
                                    + " read(2) with a large buffer takes them all. Did sendEach send each message with one send,"
                                    + " and receive return what each single receive returned?")
                            .containsExactly("first messagesecondand the third one");
                }
            }
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("a TCP pair is a real connection on 127.0.0.1 and carries the same bytes in order, as a stream")
    void tcpLoopbackIsAStreamToo() throws Exception {
        try (EndpointPair pair = Boundaries.pair(SocketKind.TCP_LOOPBACK)) {
            assertThat(pair.first()).as("a TCP endpoint is a JDK SocketChannel (Endpoint.ofChannel)").isInstanceOf(Endpoint.Channel.class);
            assertThat(pair.second()).isInstanceOf(Endpoint.Channel.class);
            var first = ((Endpoint.Channel) pair.first()).channel();
            var second = ((Endpoint.Channel) pair.second()).channel();
            InetSocketAddress remote = (InetSocketAddress) first.getRemoteAddress();
            assertThat(remote.getAddress().isLoopbackAddress())
                    .as("the TCP pair should be connected over the loopback interface, not %s", remote).isTrue();
            assertThat(remote).as("the two ends should be connected to each other").isEqualTo(second.getLocalAddress());
            Boundaries.sendEach(pair.first(), MESSAGES);
            List<byte[]> reads = Await.within(java.time.Duration.ofSeconds(10), "receive over TCP did not return",
                    () -> Boundaries.receive(pair.second(), TOTAL));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] r : reads) {
                all.write(r);
            }
            assertThat(all.toString(StandardCharsets.UTF_8)).as("the bytes that came through TCP, in order")
                    .isEqualTo("first messagesecondand the third one");
            assertThat(reads.size()).as("reads over a stream: at most one per byte sent, usually fewer").isBetween(1, TOTAL);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
