package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.support.loop.EventLoop;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlesTest {

    private static final String STEP = "Step 6: Handles, Node's way";
    private static final String CONTENT = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final Duration QUIET_PERIOD = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 5, handout = STEP)
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
            TestKit.await(acked, "the send never completed: does the receiver ack a handle line that came with its "
                    + "descriptor, and does the sender complete the future on the ack?");
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
    @Graded(points = 5, handout = STEP)
    @DisplayName("after a handle line nothing else goes out until the peer's ack; then the held-back messages follow in order")
    void laterMessagesWaitForTheAck() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            pair.channel().start();
            CompletableFuture<Void> acked = sendDevNull(pair, "h");
            pair.onLoop("send never returned", () -> pair.channel().send(TestKit.json().put("n", "a")));
            pair.onLoop("send never returned", () -> pair.channel().send(TestKit.json().put("n", "b")));
            RawPeer.Line handle = pair.peer().readLine("the handle line never arrived");
            assertThat(kind(handle)).as("the first line is the handle line: %s", handle.text()).isEqualTo("handle");
            assertThat(handle.descriptors()).as("one descriptor rides on the handle line").isEqualTo(1);
            assertThat(pair.peer().quietFor(QUIET_PERIOD))
                    .as("messages sent after a handle are held back until its ack (Node's _handleQueue); one arrived before it").isTrue();
            assertThat(acked).as("the send completes on the ack, and none was sent yet").isNotDone();
            pair.peer().sendLine(TestKit.line("ack", null));
            for (String n : new String[] {"a", "b"}) {
                RawPeer.Line line = pair.peer().readLine("message " + n + " was held back and never released after the ack");
                assertThat(TestKit.JSON.readTree(line.text()).path("n").asText()).as("held-back messages go out in order").isEqualTo(n);
            }
            TestKit.await(acked, "the peer acked, but the send's future never completed");
        }
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("a NACKed handle is sent again, the same line with a descriptor each time, until it is acked; the copy is closed then")
    void nackedHandleIsResent() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            pair.channel().start();
            int before = FdTargets.ofThisProcess().size();
            CompletableFuture<Void> acked = sendDevNull(pair, "again");
            String first = null;
            for (int transmission = 1; transmission <= 3; transmission++) {
                RawPeer.Line line = pair.peer().readLine("transmission " + transmission + " of the handle line never came: a nack must make the sender send it again");
                assertThat(line.descriptors()).as("transmission %d carries one descriptor", transmission).isEqualTo(1);
                first = first == null ? line.text() : first;
                assertThat(line.text()).as("every transmission is the same line").isEqualTo(first);
                pair.peer().sendLine(TestKit.line(transmission < 3 ? "nack" : "ack", null));
            }
            TestKit.await(acked, "nack, nack, ack: the send's future never completed");
            assertThat(FdTargets.ofThisProcess().size()).as("after the ack the channel's dup is closed").isEqualTo(before);
            assertThat(pair.onLoop("queuedBytes never returned", pair.channel()::queuedBytes))
                    .as("three transmissions written, nothing left: each re-send counts its bytes again, as each write subtracts them")
                    .isZero();
        }
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("a handle NACKed every time is sent 4 times, then the send fails, the copy is closed and the held messages go")
    void nackedHandleGivesUp() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            pair.channel().start();
            int before = FdTargets.ofThisProcess().size();
            CompletableFuture<Void> acked = sendDevNull(pair, "never");
            pair.onLoop("send never returned", () -> pair.channel().send(TestKit.json().put("n", "held")));
            for (int transmission = 1; transmission <= 4; transmission++) {
                RawPeer.Line line = pair.peer().readLine("transmission " + transmission + " of 4 never came (Node: sent once, re-sent "
                        + "MAX_HANDLE_RETRANSMISSIONS = 3 times)");
                assertThat(kind(line)).as("transmission %d: still the handle line, nothing else", transmission).isEqualTo("handle");
                pair.peer().sendLine(TestKit.line("nack", null));
            }
            RawPeer.Line released = pair.peer().readLine("after giving up, the held-back message must go out");
            assertThat(TestKit.JSON.readTree(released.text()).path("n").asText())
                    .as("after the 4th nack the sender gives up: the next line is the held message, not a 5th transmission").isEqualTo("held");
            Throwable failure = TestKit.failureOf(acked, "the send neither completed nor failed after the 4th nack");
            assertThat(failure).isInstanceOf(HandleNotDeliveredException.class).hasMessageContaining("4");
            assertThat(FdTargets.ofThisProcess().size()).as("after giving up, the channel's dup is closed").isEqualTo(before);
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("a handle line without its descriptor is NACKed and not delivered; with one it is acked, and delivered unless its msg is Node's internal business")
    void handleWithoutDescriptorIsNacked() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            pair.channel().start();
            pair.peer().sendLine(TestKit.line("handle", TestKit.json().put("try", 1)));
            assertThat(kind(pair.peer().readLine("a handle line came without a descriptor, and no nack came back")))
                    .as("the receiver's answer to a handle line without its descriptor").isEqualTo("nack");
            int before = FdTargets.ofThisProcess().size();
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                // Node's own business with a descriptor (its cluster sends these): acked, then not ours to deliver (child_process.js 713-714).
                pair.peer().sendLine(TestKit.line("handle", TestKit.json().put("cmd", "NODE_CLUSTER").put("try", "internal")),
                        Descriptors.number(devNull.getFD()));
            }
            assertThat(kind(pair.peer().readLine("a handle line with an internal msg came with its descriptor, and no ack came back")))
                    .as("the receiver's answer to a handle line with its descriptor, whatever its msg").isEqualTo("ack");
            Await.until(TestKit.DEADLINE, () -> FdTargets.ofThisProcess().size() == before, "a handle whose msg is one of Node's "
                    + "internal messages goes to no listener, so its descriptor must be closed: " + FdTargets.ofThisProcess().size()
                    + " descriptors open, " + before + " before it came");
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                pair.peer().sendLine(TestKit.line("handle", TestKit.json().put("try", 2)), Descriptors.number(devNull.getFD()));
            }
            assertThat(kind(pair.peer().readLine("the handle line came with its descriptor, and no ack came back")))
                    .as("the receiver's answer to a handle line with its descriptor").isEqualTo("ack");
            Message message = TestKit.next(pair.inbox(), "the acked handle message never reached the listener");
            FileDescriptor handle = message.handle().orElse(null);
            try {
                assertThat(message.body().path("try").asText()).as("neither the line without a descriptor nor the one whose msg is "
                        + "internal is delivered: the first message the listener sees is the second try").isEqualTo("2");
                assertThat(handle).as("the delivered message carries its descriptor").isNotNull();
                assertThat(FdTargets.target(Descriptors.number(handle))).as("the descriptor the listener got").isEqualTo("/dev/null");
            } finally {
                if (handle != null) {
                    Descriptors.closeQuietly(handle);
                }
            }
        }
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("on the ack the held-back messages are released before the send's future completes: a disconnect chained on it still sends them")
    void heldBackGoBeforeTheFutureCompletes() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            Channel channel = pair.channel().start();
            CompletableFuture<Void> acked = sendDevNull(pair, "then disconnect");
            pair.onLoop("send never returned", () -> {
                acked.thenRun(channel::disconnect); // runs where the future completes: on the loop, inside onAck
                return channel.send(TestKit.json().put("n", "held"));
            });
            assertThat(kind(pair.peer().readLine("the handle line never arrived"))).isEqualTo("handle");
            pair.peer().sendLine(TestKit.line("ack", null));
            RawPeer.Line held = pair.peer().readLine("the message held back behind the handle was lost: the disconnect chained on the "
                    + "send's future ran before the held-back messages were queued, so the half-close came first");
            assertThat(TestKit.JSON.readTree(held.text()).path("n").asText()).isEqualTo("held");
            pair.peer().readToEnd("after the held message, the disconnect chained on the ack must half-close");
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("a handle that arrives after our disconnect() is still delivered: the ack that cannot go out any more is dropped")
    void handleAfterOurHalfClose() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            pair.channel().start();
            pair.channel().disconnect();
            pair.peer().readToEnd("disconnect() with nothing queued must half-close at once");
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                pair.peer().sendLine(TestKit.line("handle", TestKit.json().put("late", true)), Descriptors.number(devNull.getFD()));
            }
            Message message = TestKit.next(pair.inbox(), "a handle line came after our half-close and never reached the listener: "
                    + "the channel still reads until the peer's EOF; an ack it can no longer write is dropped (Node: not fatal), "
                    + "it does not end the channel");
            message.handle().ifPresent(Descriptors::closeQuietly);
            assertThat(message.handle()).as("the late handle message carries its descriptor").isPresent();
            assertThat(pair.channel().whenClosed()).as("the peer has not closed its end: the channel is still open").isNotDone();
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("an ack that comes before the handle line went out is a protocol error: the channel closes and the send fails")
    void ackBeforeTheHandleLineWentOut() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            CompletableFuture<IOException> reported = new CompletableFuture<>();
            Channel channel = pair.channel().onError(reported::complete).start();
            // The peer reads nothing: fill the socket, so that the handle line waits in our queue.
            int sent = 0;
            while (pair.onLoop("send never returned", () -> {
                channel.send(TestKit.json().put("pad", "x".repeat(1000)));
                return channel.queuedBytes();
            }) == 0) {
                assertThat(++sent).as("20,000 messages to a peer that reads nothing, and none stayed queued").isLessThan(20_000);
            }
            CompletableFuture<Void> acked = sendDevNull(pair, "stuck behind the others");
            pair.peer().sendLine(TestKit.line("ack", null));
            IOException error = TestKit.await(reported, "an ack came while the handle line was still queued, unsent, and no error "
                    + "was reported: nothing can answer a line that has not gone out; closing our dup now would attach a closed descriptor");
            assertThat(error).isInstanceOf(ProtocolException.class).hasMessageContaining("ack");
            assertThat(TestKit.failureOf(acked, "the channel closed, but the handle send neither completed nor failed"))
                    .as("the handle never went out: its send fails").isInstanceOf(ChannelClosedException.class);
        }
    }

    /** Sends a handle message with /dev/null attached, on the loop, and closes our copy at once. */
    private static CompletableFuture<Void> sendDevNull(TestKit.Pair pair, String tag) throws Exception {
        try (FileInputStream devNull = new FileInputStream("/dev/null")) {
            FileDescriptor fd = devNull.getFD();
            return pair.onLoop("send(body, handle) never returned", () -> pair.channel().send(TestKit.json().put("handle", tag), fd));
        }
    }

    /** What a raw line is, read the way Node reads it: by its "cmd", when it is one of Node's. */
    private static String kind(RawPeer.Line line) throws Exception {
        return switch (TestKit.JSON.readTree(line.text()).path("cmd").asText()) {
            case "NODE_HANDLE" -> "handle";
            case "NODE_HANDLE_ACK" -> "ack";
            case "NODE_HANDLE_NACK" -> "nack";
            default -> "message";
        };
    }
}
