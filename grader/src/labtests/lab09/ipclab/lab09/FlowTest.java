package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowTest {

    private static final String STEP = "Step 5: Backpressure and disconnect";
    private static final int HIGH_WATER_MARK = 64 * 1024;
    private static final String PAD = "x".repeat(1000);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("send returns false once more than the high-water mark is queued for a child that does not read, and everything arrives once it reads")
    void backpressure() throws Exception {
        ChannelOptions options = ChannelOptions.defaults().withHighWaterMark(HIGH_WATER_MARK);
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, options, "slow-reader")) {
            session.channel().start();
            assertThat(session.line("the slow reader did not connect")).isEqualTo("connected");
            // Send until well over the mark: the socket's buffers fill first, then the queue grows.
            int sent = 0;
            int firstRefusal = -1;
            while (session.channel().queuedBytes() <= 4 * HIGH_WATER_MARK) {
                if (sent == 20_000) {
                    fail("20,000 messages of 1 KiB to a child that reads nothing, and queuedBytes() never passed "
                            + 4 * HIGH_WATER_MARK + " B: does send count the bytes it queues, and the writer subtract what it wrote?");
                }
                boolean accepted = session.channel().send(TestKit.json().put("n", sent).put("pad", PAD));
                if (!accepted && firstRefusal < 0) {
                    firstRefusal = sent;
                }
                sent++;
            }
            assertThat(firstRefusal)
                    .as("more than the high-water mark (%d B) was queued for a child that reads nothing, so send must have "
                            + "returned false at least once (-1: it never did); the first send, with nothing queued, returns true", HIGH_WATER_MARK)
                    .isPositive();
            assertThat(session.channel().send(TestKit.json().put("n", sent).put("last", true)))
                    .as("still over the mark: send keeps saying false, but it queues the message all the same").isFalse();
            sent++;
            session.go();
            assertThat(session.line("the child did not receive the last message after it started reading"))
                    .as("every message queued while the child was not reading must arrive, the last one last")
                    .isEqualTo("got " + sent + " last " + (sent - 1));
            // The child has every line, so the writer has written every line: the count must fall back
            // to 0 (it lags the last write by a moment at most). A writer that never subtracts what it
            // wrote would make send refuse for ever.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (session.channel().queuedBytes() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(session.channel().queuedBytes())
                    .as("everything was written and read, yet queuedBytes() is not back to 0: the writer must subtract "
                            + "each line's bytes once it has written it")
                    .isZero();
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("disconnect() first writes everything queued, then both sides see the disconnect event")
    void disconnectDrains() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            CompletableFuture<Void> parentSaw = new CompletableFuture<>();
            session.channel().onDisconnect(() -> parentSaw.complete(null));
            session.channel().start();
            session.next("the child's greeting never arrived");
            for (int i = 0; i < 500; i++) {
                session.channel().send(TestKit.json().put("n", i).put("pad", PAD));
            }
            session.channel().disconnect();
            assertThat(session.line("the child saw no disconnect event"))
                    .as("the child must receive all 500 queued messages before it reads EOF")
                    .isEqualTo("disconnected after 500 messages");
            Await.await(parentSaw, TestKit.DEADLINE, "the child closed its end, but our disconnect listener never ran");
            assertThat(session.forked().child().waitFor(TestKit.DEADLINE))
                    .as("the child's channel closed without the child asking: its default is to exit with CHANNEL_CLOSED_EXIT")
                    .isEqualTo(Channel.CHANNEL_CLOSED_EXIT);
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("a child whose parent is SIGKILLed learns it from the channel's EOF and exits")
    void orphanExitsByTheChannel() throws Exception {
        Path marker = dir.resolve("orphan.txt");
        Optional<ProcessHandle> grandchild = Optional.empty();
        try (ChildProcess middle = ChildJvm.main(TestChild.class).args("middle", marker.toString()).start()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(middle.process().getInputStream(), StandardCharsets.UTF_8));
            String line = Await.within(TestKit.DEADLINE, "the middle process never reported its child", out::readLine);
            if (line == null || !line.startsWith("grandchild ")) {
                fail("the middle process could not fork its child with a channel (see its stderr above); it said: " + line);
            }
            long pid = Long.parseLong(line.substring("grandchild ".length()));
            grandchild = ProcessHandle.of(pid);
            assertThat(grandchild).as("the grandchild %d is running", pid).isPresent();
            Libc.kill(middle.pid(), Libc.SIGKILL);
            middle.waitFor(TestKit.DEADLINE);
            // The grandchild's ChildMain watches the test JVM, not the middle: only the channel can tell it.
            Await.await(grandchild.get().onExit(), TestKit.DEADLINE, "the grandchild still runs after its parent was killed: on EOF "
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
