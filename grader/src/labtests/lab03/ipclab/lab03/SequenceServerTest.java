package ipclab.lab03;

import static ipclab.lab03.TestKit.DEADLINE;
import static ipclab.lab03.TestKit.awaitSleepingIn;
import static ipclab.lab03.TestKit.rawRequest;
import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static ipclab.testkit.FdInfo.describeFlags;
import static ipclab.testkit.Tasks.currentTid;
import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import ipclab.testkit.FdInfo;
import ipclab.testkit.FdTargets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceServerTest {

    /** Where a thread sleeps in read(2) of an empty pipe or FIFO: pipe_read (anon_pipe_read on newer kernels). */
    private static final String[] READ_WAIT = {"pipe_read"};

    @Test
    @Graded(points = 14, handout = "Step 5: A server on a well-known FIFO")
    @DisplayName("the server holds its request FIFO open for reading and for writing, answers requests in turn, and sleeps in read(2) between clients instead of seeing end of file")
    void serverAnswersAndNeverSeesEndOfFile(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("seqnum");
        List<ServerEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Object> serving = null;
        List<Integer> fds = List.of();
        try (SequenceServer server = SequenceServer.create(fifo, 1000)) {
            assertThat(TestKit.isFifo(fifo)).as("create() should make the request FIFO %s with mkfifo", fifo).isTrue();
            fds = FdTargets.referringTo(fifo);
            assertThat(fds)
                    .as("this process should hold the request FIFO open twice, once to read requests and once for"
                            + " writing (the server's own write end); /proc/self/fd shows %s", fds)
                    .hasSize(2);
            int readFlags = FdInfo.flags(server.readFd());
            assertThat(readFlags & (Libc.O_ACCMODE | Libc.O_NONBLOCK))
                    .as("the read end (fd %d) has the flags %s: it must be O_RDONLY and blocking again (clear O_NONBLOCK"
                            + " after opening), or serve() will get EAGAIN instead of sleeping", server.readFd(), describeFlags(readFlags))
                    .isEqualTo(Libc.O_RDONLY);
            int writeFlags = FdInfo.flags(server.keepOpenFd());
            assertThat(writeFlags & Libc.O_ACCMODE)
                    .as("the server's own end (fd %d) has the flags %s; expected O_WRONLY", server.keepOpenFd(), describeFlags(writeFlags))
                    .isEqualTo(Libc.O_WRONLY);

            CompletableFuture<String> tid = new CompletableFuture<>();
            serving = onNewThread(() -> {
                tid.complete(currentTid());
                server.serve(events::add);
                return null;
            });
            String serverThread = await(tid, DEADLINE, "the serving thread did not start");
            String returned = "serve() returned although stop() was never called. Did read(2) return 0, end of file?"
                    + " It does when no process has the FIFO open for writing: the server must hold a write end of its own";
            String spins = "between clients serve() should sleep in read(2) of the request FIFO. A loop that goes round"
                    + " when read(2) returns 0 (end of file: no writer left) spins instead; keep a write end of your own open";
            awaitSleepingIn(serverThread, serving, returned, spins, READ_WAIT);

            assertThat(rawRequest(fifo, 5)).as("the first client asked for 5 numbers; the server starts at 1000").isEqualTo(1000);
            // That client has closed its end of the request FIFO. With no writer of its own, the server would see EOF now.
            awaitSleepingIn(serverThread, serving, returned, spins, READ_WAIT);
            assertThat(rawRequest(fifo, 1)).as("the second client comes after the first's 1000..1004").isEqualTo(1005);
            assertThat(rawRequest(fifo, 2)).as("the third client comes after 1005").isEqualTo(1006);
            awaitSleepingIn(serverThread, serving, returned, spins, READ_WAIT);

            server.stop();
            await(serving, DEADLINE, "serve() did not return after stop(): stop() should set the flag and wake the"
                    + " serving thread by writing a newline through the server's own write end");
            assertThat(events.stream().map(e -> e instanceof ServerEvent.Served s ? s.first() : e.describe()).toList())
                    .as("serve() should report one Served event per request, each with the first number handed out")
                    .containsExactly(1000L, 1005L, 1006L);
        } finally {
            if (serving != null && !serving.isDone()) {
                System.err.println("serve() is still running; its thread is left blocked in read(2)");
            }
        }
        assertThat(TestKit.mode(fifo)).as("close() should remove the request FIFO %s", fifo).isEqualTo(-1);
        for (int fd : fds) {
            String link = FdTargets.target(fd);
            assertThat(link == null || !link.startsWith(fifo.toString()))
                    .as("close() should close both descriptors of the request FIFO, but fd %d still refers to %s", fd, link)
                    .isTrue();
        }
    }
}
