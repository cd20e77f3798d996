package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BadInputTest {

    private static final String STEP = "Step 6: Bad input closes the channel, nothing else";

    /** Forks a misbehaving raw child, returns the error the channel reported; checks it closed and leaked nothing. */
    private static IOException errorFrom(ChannelOptions options, String... rawMode) throws Exception {
        // The JVM opens some descriptors for good on first use (the random source behind the private
        // directory's name): make that happen before counting, so only what this channel leaks shows.
        Files.delete(Files.createTempDirectory("ipclab-warmup"));
        int before = FdTargets.ofThisProcess().size();
        IOException error;
        try (TestKit.Session session = TestKit.Session.open(RawChild.class, options, rawMode)) {
            CompletableFuture<IOException> reported = new CompletableFuture<>();
            session.channel().onError(reported::complete);
            session.channel().start();
            error = Await.await(reported, TestKit.DEADLINE, "the peer sent " + rawMode[0] + " input, but no error listener was called: "
                    + "the reader must turn bad input into a ProtocolException and report it");
            Await.await(session.channel().whenClosed(), TestKit.DEADLINE, "the channel reported the error but did not close");
            assertThat(session.channel().isConnected()).as("after bad input the channel is closed").isFalse();
        }
        assertThat(FdTargets.ofThisProcess().size())
                .as("after the channel and the child are closed, this process must have as many descriptors open as before: "
                        + "a received descriptor or the socket leaked")
                .isEqualTo(before);
        return error;
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("a line that is not JSON, and JSON without the envelope fields, close the channel with an error naming the problem")
    void malformedLines() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults(), "not-json"))
                .as("the peer sent \"this is not json\"").isInstanceOf(ProtocolException.class)
                .hasMessageContaining("malformed").hasMessageContaining("not JSON");
        assertThat(errorFrom(ChannelOptions.defaults(), "no-envelope"))
                .as("the peer sent {\"hello\":\"world\"}: JSON, but no kind and no seq").isInstanceOf(ProtocolException.class)
                .hasMessageContaining("malformed").hasMessageContaining("kind");
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a line longer than the channel's limit closes the channel with an error naming the limit")
    void oversizedLine() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults().withMaxLineBytes(4096), "oversized", "10000"))
                .as("10,000 bytes without a newline, limit 4,096").isInstanceOf(ProtocolException.class)
                .hasMessageContaining("4096");
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a descriptor that arrives with a message not flagged as carrying one closes the channel, and the descriptor is closed")
    void unexpectedDescriptor() throws Exception {
        assertThat(errorFrom(ChannelOptions.defaults(), "stray-descriptor"))
                .as("the peer attached /dev/null to a message with \"handle\":false").isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unexpected descriptor");
    }
}
