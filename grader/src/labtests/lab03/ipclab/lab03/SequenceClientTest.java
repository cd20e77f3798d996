package ipclab.lab03;

import static ipclab.lab03.TestKit.DEADLINE;
import static ipclab.lab03.TestKit.namesIn;
import static ipclab.lab03.TestKit.rawFifo;
import static ipclab.lab03.TestKit.rawOpen;
import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static ipclab.testkit.Await.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceClientTest {

    private static final String STEP = "Step 6: Clients with reply FIFOs";
    private static final int CLIENTS = 4;
    private static final int ROUNDS = 25;
    private static final int COUNT = 3;

    @Test
    @Graded(points = 12, handout = STEP)
    @DisplayName("clients in several processes at once, knowing only the request FIFO's path, each get numbers nobody else gets, and remove their reply FIFOs")
    void concurrentClientsGetUniqueNumbers(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("seqnum");
        List<ChildProcess> clients = new ArrayList<>();
        CompletableFuture<Object> serving = null;
        try (SequenceServer server = SequenceServer.create(fifo, 1)) {
            serving = onNewThread(() -> {
                server.serve(event -> { });
                return null;
            });
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(ChildJvm.main(SequenceClient.class)
                        .args(fifo.toString(), Integer.toString(COUNT), Integer.toString(ROUNDS))
                        .redirectError(Redirect.PIPE)
                        .start());
            }
            TreeSet<Long> numbers = new TreeSet<>();
            for (ChildProcess client : clients) {
                String out = within(Duration.ofSeconds(20), "client " + client + " did not finish its " + ROUNDS + " requests",
                        () -> new String(client.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                if (client.waitFor(DEADLINE) != 0) {
                    fail("client " + client + " failed: " + TestKit.exitReport(client));
                }
                List<String> firsts = out.strip().lines().toList();
                assertThat(firsts).as("client %s should print the first number of each of its %d replies", client, ROUNDS).hasSize(ROUNDS);
                for (String first : firsts) {
                    long start = Long.parseLong(first);
                    for (long k = start; k < start + COUNT; k++) {
                        if (!numbers.add(k)) {
                            fail("number " + k + " was handed out twice (client " + client + " got the block starting at "
                                    + start + "): every request must reserve numbers nobody else gets");
                        }
                    }
                }
            }
            assertThat(numbers.first()).as("the first number handed out").isEqualTo(1L);
            assertThat(numbers.last())
                    .as("%d clients x %d requests x %d numbers, with no number skipped", CLIENTS, ROUNDS, COUNT)
                    .isEqualTo((long) CLIENTS * ROUNDS * COUNT);
            assertThat(namesIn(dir))
                    .as("each client should remove its reply FIFO when it has its answer; only the request FIFO may be left")
                    .containsExactly("seqnum");
            server.stop();
            await(serving, DEADLINE, "serve() did not return after stop()");
        } finally {
            clients.forEach(ChildProcess::close);
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a client fails at once with ENXIO when no server reads the request FIFO, times out when the server never answers, and removes its reply FIFO either way")
    void clientWithoutAServer(@TempDir Path dir) throws Exception {
        Path fifo = rawFifo(dir, "seqnum");
        CompletableFuture<Long> attempt = onNewThread(() -> SequenceClient.request(fifo, 1, Duration.ofSeconds(5)));
        try {
            await(attempt, DEADLINE, "request() waited although no server has the request FIFO open: open it with"
                    + " O_WRONLY | O_NONBLOCK, so that a missing server is an ENXIO at once");
            fail("request() returned a number although no process reads the request FIFO");
        } catch (ErrnoException e) {
            assertThat(e.errno()).as("request() with no server failed with %s", e.getMessage()).isEqualTo(Errno.ENXIO);
        } finally {
            if (!attempt.isDone()) {
                Libc.close(rawOpen(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK)); // lets a blocked open(O_WRONLY) go on
            }
        }
        assertThat(namesIn(dir)).as("request() failed, but it must still remove its reply FIFO").containsExactly("seqnum");

        // A "server" that reads requests but never answers: request() must give up at its deadline.
        int silentServer = rawOpen(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK);
        try {
            try {
                SequenceClient.request(fifo, 2, Duration.ofMillis(300));
                fail("request() returned a number although nobody answered");
            } catch (TimeoutException expected) {
                // Right: no reply by the deadline.
            }
            byte[] buffer = new byte[Libc.PIPE_BUF];
            int n = Libc.read(silentServer, buffer, 0, buffer.length);
            String line = new String(buffer, 0, n, StandardCharsets.UTF_8);
            assertThat(line).as("the request should be one line ending in a newline").endsWith("\n");
            Request request = Request.decode(line.strip());
            assertThat(request.count()).as("the count in the request").isEqualTo(2);
            assertThat(request.clientPid()).as("the pid in the request").isEqualTo(ProcessHandle.current().pid());
            assertThat(request.replyFifo().getParent()).as("the reply FIFO should be made beside the request FIFO")
                    .isEqualTo(dir.toAbsolutePath());
            assertThat(namesIn(dir)).as("request() timed out, but it must still remove its reply FIFO").containsExactly("seqnum");
        } finally {
            Libc.close(silentServer);
        }
    }
}
