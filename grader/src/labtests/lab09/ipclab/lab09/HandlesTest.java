package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlesTest {

    private static final String STEP = "Step 3: Pass a handle, wait for the ack";
    private static final String CONTENT = "0123456789abcdefghijklmnopqrstuvwxyz";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 9, handout = STEP)
    @DisplayName("a file sent with a message arrives at the sender's offset, the send completes on the ack, and the channel's copy is closed then")
    void fileHandleAcknowledged() throws Exception {
        Path file = Files.writeString(dir.resolve("shared.txt"), CONTENT);
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            session.channel().start();
            session.next("the child's greeting never arrived");
            int before = FdTargets.ofThisProcess().size();
            CompletableFuture<Void> acked;
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                assertThat(new String(in.readNBytes(10), StandardCharsets.UTF_8)).isEqualTo(CONTENT.substring(0, 10));
                acked = session.channel().send(TestKit.json().put("file", "shared.txt"), in.getFD());
            } // closed at once: the channel must keep its own copy until the ack
            Await.await(acked, TestKit.DEADLINE, "the send never completed: does the receiver send an ack for a message flagged \"handle\", "
                    + "and does the sender complete the future when the ack with that seq arrives?");
            assertThat(session.next("the child never said what it read from the file").path("read").asText())
                    .as("the child read through the descriptor we sent; it shares our open file description, so it starts at "
                            + "our offset (10). An error or nothing means the descriptor was closed before it was sent: keep a dup until the ack")
                    .isEqualTo(CONTENT.substring(10));
            assertThat(FdTargets.ofThisProcess().size())
                    .as("we closed our file; after the ack the channel's duplicate must be closed too: as many descriptors open as before")
                    .isEqualTo(before);
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("a handle the peer never acknowledges is sent again after each ack timeout, then the send fails with a clear error and the copy is closed")
    void unacknowledgedRetriedThenReported() throws Exception {
        ChannelOptions options = ChannelOptions.defaults().withAckTimeout(Duration.ofMillis(300), 3);
        try (TestKit.Session session = TestKit.Session.open(RawChild.class, options, "never-ack")) {
            session.channel().start();
            int before = FdTargets.ofThisProcess().size();
            CompletableFuture<Void> acked;
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                acked = session.channel().send(TestKit.json().put("please", "ack"), devNull.getFD());
            }
            Throwable failure = Await.failureOf(acked, TestKit.DEADLINE, "the send neither completed nor failed: after the last attempt's "
                    + "timeout the future must fail");
            assertThat(failure)
                    .as("the peer never acks: after 3 attempts the send fails with HandleNotAcknowledgedException")
                    .isInstanceOf(HandleNotAcknowledgedException.class)
                    .hasMessageContaining("3 times");
            for (int attempt = 1; attempt <= 3; attempt++) {
                assertThat(session.line("the peer did not see attempt " + attempt + " of the handle message"))
                        .as("attempt %d: the same line, flagged \"handle\", again with one descriptor attached", attempt)
                        .contains("\"handle\":true").contains("\"please\":\"ack\"").endsWith("descriptors 1");
            }
            assertThat(FdTargets.ofThisProcess().size())
                    .as("after giving up, the channel must close the duplicate it kept for the retries")
                    .isEqualTo(before);
        }
    }
}
