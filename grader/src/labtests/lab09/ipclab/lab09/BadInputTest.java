package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.loop.EventLoop;
import ipclab.testkit.FdTargets;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BadInputTest {

    private static final String STEP = ReadTest.STEP;

    /** What the raw peer does wrong. */
    @FunctionalInterface
    private interface Misbehaviour {
        void on(RawPeer peer) throws Exception;
    }

    /** Lets a raw peer misbehave and returns the error the channel reported; checks it closed and leaked nothing. */
    private static IOException errorFrom(ChannelOptions options, String what, Misbehaviour misbehaviour) throws Exception {
        try (EventLoop loop = TestKit.loop()) {
            int before = FdTargets.ofThisProcess().size();
            IOException error;
            try (TestKit.Pair pair = TestKit.Pair.open(loop, options)) {
                CompletableFuture<IOException> reported = new CompletableFuture<>();
                pair.channel().onError(reported::complete).start();
                misbehaviour.on(pair.peer());
                error = TestKit.await(reported, "the peer sent " + what + ", but no error listener was called: "
                        + "bad input must become a ProtocolException that shutDown reports");
                TestKit.await(pair.channel().whenClosed(), "the channel reported the error but did not close");
                assertThat(pair.channel().isConnected()).as("after bad input the channel is closed").isFalse();
            }
            assertThat(FdTargets.ofThisProcess().size())
                    .as("after bad input, as many descriptors open as before: a received descriptor or the socket leaked")
                    .isEqualTo(before);
            return error;
        }
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("a line that is not JSON, and a NODE_HANDLE without its type, close the channel with an error naming the problem")
    void malformedLines() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults(), "a line that is not JSON", peer -> peer.sendLine("this is not json")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("malformed").hasMessageContaining("not JSON");
        assertThat(errorFrom(ChannelOptions.defaults(), "a NODE_HANDLE without \"type\"", peer -> peer.sendLine("{\"cmd\":\"NODE_HANDLE\",\"msg\":{}}")))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("malformed").hasMessageContaining("type");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a line longer than the channel's limit closes the channel with an error naming the limit")
    void oversizedLine() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults().withMaxLineBytes(4096), "10,000 bytes without a newline (limit 4,096)",
                peer -> peer.send("x".repeat(10_000).getBytes(java.nio.charset.StandardCharsets.UTF_8), -1)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("4096");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a descriptor that arrives with a line that is not a handle line closes the channel, and the descriptor is closed")
    void unexpectedDescriptor() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults(), "/dev/null attached to a plain message", peer -> {
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                peer.sendLine("{\"surprise\":true}", Descriptors.number(devNull.getFD()));
            }
        })).isInstanceOf(ProtocolException.class).hasMessageContaining("unexpected descriptor");
    }
}
