package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.loop.EventLoop;
import ipclab.testkit.FdTargets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReadTest {

    static final String STEP = "Step 4: Read on the loop";
    private static final int LINES = 200;

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("200 lines written in random chunks become 200 messages in order, every listener call on the loop thread; Node's other internal lines reach no listener")
    void linesBecomeMessagesOnTheLoop() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            AtomicInteger offLoop = new AtomicInteger();
            pair.channel().onMessage(message -> {
                if (!loop.inLoop()) {
                    offLoop.incrementAndGet();
                }
            }).start();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = 0; i < LINES; i++) {
                stream.write((TestKit.line("message", TestKit.json().put("n", i).put("text", "ünï " + i)) + "\n").getBytes(StandardCharsets.UTF_8));
                if (i % 50 == 25) {
                    // Node's own business (its socket lists): never shown to the listeners, as in Node.
                    stream.write("{\"cmd\":\"NODE_SOCKET_NOTIFY_CLOSE\",\"key\":\"tcp4:127.0.0.1:8000\"}\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] bytes = stream.toByteArray();
            Random random = new Random(4);
            for (int done = 0; done < bytes.length; ) {
                int size = Math.min(bytes.length - done, 1 + random.nextInt(300));
                pair.peer().send(java.util.Arrays.copyOfRange(bytes, done, done + size), -1);
                done += size;
            }
            for (int i = 0; i < LINES; i++) {
                Message message = TestKit.next(pair.inbox(), "message " + i + " of " + LINES + " never reached the listeners: "
                        + "does onReadable read with recvmsg until EAGAIN, split the bytes into lines and dispatch each?");
                assertThat(message.body().path("n").asInt()).as("messages arrive whole and in the order written, and a NODE_SOCKET_* line "
                        + "is not one: %s", message.body()).isEqualTo(i);
                assertThat(message.body().path("text").asText()).as("UTF-8 cut between chunks survives").isEqualTo("ünï " + i);
            }
            assertThat(offLoop.get()).as("listener calls made off the loop thread (%s): everything runs on the loop", loop.name()).isZero();
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("the peer's end of stream closes the channel once: one disconnect event, whenClosed completes, the socket is closed")
    void eofClosesOnce() throws Exception {
        try (EventLoop loop = TestKit.loop()) {
            int before = FdTargets.ofThisProcess().size();
            try (TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
                AtomicInteger disconnects = new AtomicInteger();
                pair.channel().onDisconnect(disconnects::incrementAndGet).start();
                pair.peer().sendLine(TestKit.line("message", TestKit.json().put("last", true)));
                TestKit.next(pair.inbox(), "the line before the end never arrived");
                pair.peer().close();
                TestKit.await(pair.channel().whenClosed(), "the peer closed its end, but the channel never closed: "
                        + "recvmsg returning 0 is end of stream, and shutDown must complete whenClosed");
                assertThat(pair.channel().isConnected()).as("after the peer's EOF").isFalse();
                assertThat(TestKit.onLoop(loop, "the loop is stuck", disconnects::get))
                        .as("disconnect listeners run once, on the loop, whatever else happens after").isEqualTo(1);
            }
            assertThat(FdTargets.ofThisProcess().size()).as("both ends of the socketpair are closed again: the channel closed its own")
                    .isEqualTo(before);
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("after its loop was closed, send refuses and counts nothing, and close() still closes the socket and tells the listeners")
    void closeAfterTheLoopClosed() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            AtomicInteger disconnects = new AtomicInteger();
            Channel channel = pair.channel().onDisconnect(disconnects::incrementAndGet).start();
            loop.close();
            assertThatThrownBy(() -> channel.send(TestKit.json().put("n", 1)))
                    .as("the loop is closed: nobody would ever write this message").isInstanceOf(ChannelClosedException.class);
            assertThat(channel.queuedBytes()).as("a message refused is not queued: queuedBytes() counts it no more").isZero();
            channel.close();
            assertThat(disconnects.get()).as("close() after the loop closed must still run the disconnect listeners, once").isEqualTo(1);
            assertThat(channel.whenClosed()).as("whenClosed() after close()").isDone();
            pair.peer().readToEnd("close() after the loop closed did not close the socket: with no loop to hop onto, "
                    + "close must shut the channel down on the caller's thread");
        }
    }
}
