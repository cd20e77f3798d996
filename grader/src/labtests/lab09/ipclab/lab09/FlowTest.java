package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowTest {

    static final String STEP = "Step 5: Write on the loop";
    private static final int HIGH_WATER_MARK = 64 * 1024;
    private static final String PAD = "x".repeat(1000);
    /** Turns of an idle loop allowed in the quiet period: a loop that spins on WRITABLE makes thousands. */
    private static final int IDLE_TURNS = 50;
    private static final Duration QUIET_PERIOD = Duration.ofMillis(300);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("to a peer that does not read, send returns false above the high-water mark, the loop idles while blocked, and all arrive once it reads")
    void backpressure() throws Exception {
        ChannelOptions options = ChannelOptions.defaults().withHighWaterMark(HIGH_WATER_MARK);
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, options)) {
            Channel channel = pair.channel().start();
            // Send until well over the mark: the socket's buffers fill first, then the queue grows.
            int sent = 0;
            int firstRefusal = -1;
            while (channel.queuedBytes() <= 4 * HIGH_WATER_MARK) {
                if (sent == 20_000) {
                    fail("20,000 messages of 1 KiB to a peer that reads nothing, and queuedBytes() never passed "
                            + 4 * HIGH_WATER_MARK + " B: does send count the bytes it queues, and flush subtract only what it wrote?");
                }
                int n = sent;
                boolean accepted = pair.onLoop("send never returned", () -> channel.send(TestKit.json().put("n", n).put("pad", PAD)));
                if (!accepted && firstRefusal < 0) {
                    firstRefusal = sent;
                }
                sent++;
            }
            assertThat(firstRefusal)
                    .as("more than the high-water mark (%d B) was queued for a peer that reads nothing, so send must have "
                            + "returned false at least once (-1: it never did); the first send, with nothing queued, returns true", HIGH_WATER_MARK)
                    .isPositive();
            assertIdle(loop, "while the socket was full: with WRITABLE watched it sleeps until there is room; with WRITABLE "
                    + "left on and nothing writable, or a retry on EAGAIN, it spins");
            int all = sent;
            assertThat(pair.onLoop("send never returned", () -> channel.send(TestKit.json().put("n", all).put("last", true))))
                    .as("still over the mark: send keeps saying false, but it queues the message all the same").isFalse();
            for (int i = 0; i <= all; i++) {
                JsonNode body = TestKit.JSON.readTree(pair.peer().readLine("message " + i + " of " + (all + 1)
                        + " never arrived once the peer read: does onReady flush the queue when the socket is WRITABLE?").text());
                assertThat(body.path("n").asInt()).as("every queued message arrives, in order").isEqualTo(i);
            }
            Await.until(TestKit.DEADLINE, () -> channel.queuedBytes() == 0, "everything was written and read, yet queuedBytes() is "
                    + channel.queuedBytes() + ", not 0: subtract what each write took");
            // Now the socket has room and nothing is queued: the kernel reports WRITABLE on every
            // turn, so a flush that leaves it watched wakes the loop for nothing, again and again.
            assertIdle(loop, "with nothing left to write: epoll is level-triggered, so once the queue is empty, flush must "
                    + "stop watching WRITABLE (interest READABLE only)");
        }
    }

    /** Counts the loop's turns for {@link #QUIET_PERIOD}: an idle loop sleeps in epoll_wait, a spinning one makes thousands. */
    private static void assertIdle(EventLoop loop, String when) throws InterruptedException {
        long before = loop.iterations();
        Thread.sleep(QUIET_PERIOD.toMillis()); // a window to count turns in, not a wait for anything
        long turns = loop.iterations() - before;
        assertThat(turns).as("the loop made %d turns in %d ms %s", turns, QUIET_PERIOD.toMillis(), when).isLessThan(IDLE_TURNS);
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("disconnect() first writes everything queued, then both sides see the disconnect event")
    void disconnectDrains() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            CompletableFuture<Void> parentSaw = new CompletableFuture<>();
            session.channel().onDisconnect(() -> parentSaw.complete(null));
            session.channel().start();
            session.next("the child's greeting never arrived");
            // Hold the loop, so that the 500 sends and the disconnect all wait in its task queue at once:
            // the half-close must still come after the last of them, not after the first flush.
            CountDownLatch held = new CountDownLatch(1);
            session.loop().execute(() -> {
                try {
                    held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                for (int i = 0; i < 500; i++) {
                    session.channel().send(TestKit.json().put("n", i).put("pad", PAD));
                }
                session.channel().disconnect();
            } finally {
                held.countDown(); // also when send or disconnect threw: the loop must not stay blocked
            }
            assertThat(session.line("the child saw no disconnect event"))
                    .as("the child must receive all 500 queued messages before it reads EOF")
                    .isEqualTo("disconnected after 500 messages");
            TestKit.await(parentSaw, "the child closed its end, but our disconnect listener never ran");
            assertThat(session.forked().child().waitFor(TestKit.DEADLINE))
                    .as("the child's channel closed without the child asking: its default is to exit with CHANNEL_CLOSED_EXIT")
                    .isEqualTo(Channel.CHANNEL_CLOSED_EXIT);
        }
    }

    @Test
    @Graded(points = 5, handout = ReadTest.STEP) // reading the EOF is all it takes: no write
    @DisplayName("a child whose parent is SIGKILLed learns it from the channel's EOF and exits")
    void orphanExitsByTheChannel() throws Exception {
        TestKit.testBegins();
        Path marker = dir.resolve("orphan.txt");
        Optional<ProcessHandle> grandchild = Optional.empty();
        try (ChildProcess middle = ChildJvm.main(TestChild.class).args("middle", marker.toString()).start()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(middle.process().getInputStream(), StandardCharsets.UTF_8));
            String line = TestKit.within("the middle process never reported its child", out::readLine);
            if (line == null || !line.startsWith("grandchild ")) {
                fail("the middle process could not fork its child with a channel (see its stderr above); it said: " + line);
            }
            long pid = Long.parseLong(line.substring("grandchild ".length()));
            grandchild = ProcessHandle.of(pid);
            assertThat(grandchild).as("the grandchild %d is running", pid).isPresent();
            Libc.kill(middle.pid(), Libc.SIGKILL);
            middle.waitFor(TestKit.DEADLINE);
            // The grandchild's ChildMain watches the test JVM, not the middle: only the channel can tell it.
            TestKit.await(grandchild.get().onExit(), "the grandchild still runs after its parent was killed: on EOF "
                    + "the child's channel must exit the process (CHANNEL_CLOSED_EXIT)");
            assertThat(Files.exists(marker) ? Files.readString(marker) : "(no file)")
                    .as("the grandchild's disconnect listener ran before it exited").isEqualTo("disconnected");
        } finally {
            grandchild.filter(ProcessHandle::isAlive).ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // Reported by the grader's leftover check if it survives.
                }
            });
        }
    }
}
