package ipclab.lab03;

import static ipclab.lab03.TestKit.DEADLINE;
import static ipclab.lab03.TestKit.rawOpen;
import static ipclab.lab03.TestKit.rawRequest;
import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.Tasks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DyingClientTest {

    @Test
    @Graded(points = 9, handout = "Step 7: A client that dies mid-request")
    @DisplayName("a client that died mid-request, a missing reply FIFO, a reply path that is a regular file and a malformed line neither block nor stop the server, and use up no numbers")
    void badClientsDoNotHurtTheServer(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("seqnum");
        BlockingQueue<ServerEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Object> serving = null;
        try (SequenceServer server = SequenceServer.create(fifo, 1)) {
            // Before the server starts serving, so that every request below waits in the FIFO until its client is gone.
            Path deadClientsReply = dir.resolve("reply-of-a-dead-client");
            long deadPid;
            try (ChildProcess dying = ChildJvm.main(DyingClientChild.class).args(fifo.toString(), deadClientsReply.toString()).start()) {
                deadPid = dying.pid();
                assertThat(dying.waitFor(Duration.ofSeconds(20))).as("the dying client's exit status").isZero();
            }
            Path missing = dir.resolve("never-made");
            Path regularFile = Files.createFile(dir.resolve("a-regular-file"));
            int out = rawOpen(fifo, Libc.O_WRONLY);
            try {
                for (String line : List.of("hello, server\n",
                        new String(new Request(4001, 3, missing).encode(), StandardCharsets.UTF_8),
                        new String(new Request(4002, 3, regularFile).encode(), StandardCharsets.UTF_8))) {
                    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                    Libc.write(out, bytes, 0, bytes.length);
                }
            } finally {
                Libc.close(out);
            }

            CompletableFuture<String> tid = new CompletableFuture<>();
            serving = onNewThread(() -> {
                tid.complete(Tasks.currentTid());
                server.serve(events::add);
                return null;
            });
            String serverThread = await(tid, DEADLINE, "the serving thread did not start");
            long first;
            try {
                first = await(onNewThread(() -> rawRequest(fifo, 2)), Duration.ofSeconds(15), "no answer");
            } catch (AssertionError e) {
                if (serving.isDone()) {
                    await(serving, DEADLINE, ""); // throws what serve() threw
                }
                String where = Tasks.wchan(serverThread);
                throw new AssertionError("a good client got no answer after the bad ones. The serving thread sleeps in the"
                        + " kernel in \"" + where + "\"" + (where.endsWith("wait_for_partner")
                        ? ": a blocking open(2) of a reply FIFO that nobody will ever read. Open reply FIFOs with"
                        + " O_WRONLY | O_NONBLOCK, and treat ENXIO as a client that is gone"
                        : "; the events so far: " + describe(new ArrayList<>(events))) + " (" + e.getMessage().strip() + ")", e);
            }
            List<ServerEvent> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ServerEvent event = events.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                if (event == null) {
                    if (serving.isDone()) {
                        await(serving, DEADLINE, ""); // throws what serve() threw
                    }
                    fail("serve() reported only these events for the five lines in its FIFO: " + describe(seen));
                }
                seen.add(event);
            }
            assertThat(serving).as("serve() should still be running").isNotDone();

            String all = describe(seen);
            assertThat(seen.get(0))
                    .as("the dead client (pid %d) has no reader on its reply FIFO: open(O_WRONLY | O_NONBLOCK) fails with"
                            + " ENXIO, and the request is dropped. Events: %s", deadPid, all)
                    .isInstanceOfSatisfying(ServerEvent.Dropped.class, d -> {
                        assertThat(d.request().clientPid()).isEqualTo(deadPid);
                        assertThat(d.reason()).as("the reason should name the errno").contains("ENXIO");
                    });
            assertThat(seen.get(1)).as("\"hello, server\" is not a request. Events: %s", all)
                    .isInstanceOf(ServerEvent.Malformed.class);
            assertThat(seen.get(2))
                    .as("the reply FIFO %s does not exist: dropped with ENOENT. Events: %s", missing, all)
                    .isInstanceOfSatisfying(ServerEvent.Dropped.class, d -> assertThat(d.reason()).contains("ENOENT"));
            assertThat(seen.get(3))
                    .as("the reply path %s is a regular file, not a FIFO: the server must not write into it. Events: %s", regularFile, all)
                    .isInstanceOf(ServerEvent.Dropped.class);
            assertThat(Files.size(regularFile)).as("bytes the server wrote into the regular file %s", regularFile).isZero();
            assertThat(seen.get(4)).as("the good client. Events: %s", all).isInstanceOf(ServerEvent.Served.class);
            assertThat(first)
                    .as("no reply reached the dropped clients, so their numbers are not used up: the good client should"
                            + " get the first number, 1")
                    .isEqualTo(1);

            server.stop();
            await(serving, DEADLINE, "serve() did not return after stop()");
        } finally {
            if (serving != null && !serving.isDone()) {
                System.err.println("serve() is still running; its thread is left blocked");
            }
        }
    }

    private static String describe(List<ServerEvent> events) {
        return events.stream().map(ServerEvent::describe).toList().toString();
    }
}
