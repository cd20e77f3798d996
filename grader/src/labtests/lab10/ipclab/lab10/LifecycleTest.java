package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import java.io.BufferedReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestKit.WorkerErrors.class) // a failure quotes what the workers wrote on standard error
class LifecycleTest {

    private static final String FORK = "Step 3: One loop for the master";
    private static final String DEATHS = "Step 5: When workers die";
    private static final String LEAVING = "Step 7: Leaving gracefully, and the master's death";

    @Test
    @Graded(points = 10, handout = FORK)
    @DisplayName("two workers are forked as child JVMs; each reports online, then listening on the cluster's port, all from the master's loop")
    void workersComeOnlineAndListen() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2), events)) {
            List<Long> listening = events.awaitListening(2);
            List<Long> pids = cluster.workers().stream().map(WorkerHandle::pid).toList();
            List<Long> children = ProcessHandle.current().children().map(ProcessHandle::pid).toList();
            assertThat(pids).as("cluster.workers() while two run").hasSize(2);
            assertThat(children).as("the workers are child processes of the master (this JVM); workers() said %s", pids).containsAll(pids);
            assertThat(listening).as("the pids in the listening events are those of workers()").containsExactlyInAnyOrderElementsOf(pids);
            List<TestKit.Event> all = events.all();
            for (long pid : pids) {
                int online = indexOf(all, "online", pid);
                int listen = indexOf(all, "listening", pid);
                assertThat(online).as("worker %d: an online event (channel connected) is expected; events: %s", pid, all).isNotNegative();
                assertThat(online).as("worker %d: online comes before listening; events: %s", pid, all).isLessThan(listen);
            }
            assertThat(all.stream().filter(e -> e.kind().equals("listening")).map(TestKit.Event::port))
                    .as("listening events carry the cluster's port %d", cluster.port()).containsOnly(cluster.port());
            events.assertOneLoop();
        }
    }

    @Test
    @Graded(points = 3, handout = FORK)
    @DisplayName("a ClusterEvents callback that throws, or calls close() on the loop (refused), stops neither welcoming nor restarting")
    void callbacksCannotStopTheMaster() throws Exception {
        TestKit.Recorder recorder = new TestKit.Recorder();
        AtomicReference<Cluster> self = new AtomicReference<>();
        CompletableFuture<Throwable> closeOnLoop = new CompletableFuture<>();
        ClusterEvents throwing = new ClusterEvents() {
            @Override
            public void online(WorkerHandle worker) {
                throw new IllegalStateException("the owner's online callback is broken");
            }

            @Override
            public void exit(WorkerHandle worker, ExitStatus status) {
                try {
                    self.get().close();
                    closeOnLoop.complete(null);
                } catch (RuntimeException e) {
                    closeOnLoop.complete(e);
                }
            }
        };
        try (Cluster cluster = Cluster.start(TestKit.options(2), recorder.andThen(throwing))) {
            self.set(cluster);
            List<Long> listening = recorder.awaitListening(2);
            assertThat(listening).as("both workers came online and listening, although every online callback threw").hasSize(2);
            cluster.kill(cluster.workers().getFirst(), Libc.SIGKILL);
            assertThat(Await.await(closeOnLoop, TestKit.DEADLINE, "close(), called from the exit callback on the loop, never returned"))
                    .as("close() from a callback on the master's loop would wait for that very loop: it is refused")
                    .isInstanceOf(IllegalStateException.class);
            recorder.await(3, e -> e.kind().equals("listening"), "the killed worker was not replaced: a callback that threw, "
                    + "or a refused close(), must not stop the restart");
            List<Long> live = cluster.workers().stream().map(WorkerHandle::pid).toList();
            assertThat(TestKit.answeredBy(TestKit.fetch(cluster.port()))).as("the cluster still serves, from %s", live).isIn(live);
        }
    }

    @Test
    @Graded(points = 5, handout = DEATHS)
    @DisplayName("a worker killed with SIGKILL is reported as code null, signal SIGKILL, and a replacement comes online and serves")
    void killedWorkerIsReplaced() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2), events)) {
            events.awaitListening(2);
            WorkerHandle victim = cluster.workers().getFirst();
            cluster.kill(victim, Libc.SIGKILL);
            TestKit.Event exit = events.await(1, e -> e.kind().equals("exit") && e.pid() == victim.pid(),
                    "no exit event for the worker killed with SIGKILL: does the master watch each worker's process (onExit)?").getFirst();
            assertThat(exit.status()).as("the exit status of a worker killed by SIGKILL (the JDK reports 137 = 128 + 9)")
                    .isEqualTo(new ExitStatus(null, "SIGKILL"));
            List<TestKit.Event> seen = events.all();
            assertThat(indexOf(seen, "disconnect", victim.pid())).as("the killed worker's disconnect event (its channel reached EOF) "
                    + "comes before its exit event, as in Node; events: %s", seen).isNotNegative().isLessThan(indexOf(seen, "exit", victim.pid()));
            events.await(3, e -> e.kind().equals("listening"),
                    "no replacement worker came online and listening after the SIGKILL: restart is on, so the master must fork a new one");
            List<Long> live = cluster.workers().stream().map(WorkerHandle::pid).toList();
            assertThat(live).as("workers() after the replacement").hasSize(2).doesNotContain(victim.pid());
            for (int i = 0; i < 4; i++) {
                long pid = TestKit.answeredBy(TestKit.fetch(cluster.port()));
                assertThat(live).as("connection %d must be answered by a live worker", i).contains(pid);
            }
            events.assertOneLoop();
        }
    }

    @Test
    @Graded(points = 10, handout = LEAVING)
    @DisplayName("disconnect(worker) lets it finish an open slow connection, then it exits 0 (disconnect, then exit) and is not restarted")
    void gracefulDisconnect() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(1).withDelay(Duration.ofMillis(1500)), events)) {
            long pid = events.awaitListening(1).getFirst();
            WorkerHandle worker = cluster.workers().getFirst();
            try (Socket client = TestKit.connect(cluster.port())) {
                TestKit.awaitHeldByWorker(cluster.port(), client, List.of(pid),
                        "the worker never took over the client's socket (and the master kept its copy): does the worker ack newconn?");
                cluster.disconnect(worker);
                String answer = TestKit.readAll(client, "the open connection was never answered after disconnect: a disconnecting worker must finish its open connections");
                assertThat(TestKit.answeredBy(answer)).as("the open connection is answered by the disconnecting worker").isEqualTo(pid);
            }
            TestKit.Event exit = events.await(1, e -> e.kind().equals("exit"),
                    "the worker did not exit after disconnect: once its open connections are done it must close its channel and exit 0").getFirst();
            assertThat(exit.status()).as("a worker that leaves gracefully exits with code 0").isEqualTo(new ExitStatus(0, null));
            List<TestKit.Event> all = events.all();
            assertThat(indexOf(all, "disconnect", pid)).as("a disconnect event comes before the exit event; events: %s", all)
                    .isNotNegative().isLessThan(indexOf(all, "exit", pid));
            String after = TestKit.fetch(cluster.port());
            assertThat(after).as("with its only worker disconnected on purpose and no restart, a new client gets EOF at once "
                    + "(a restarted worker would have answered it)").isIn("", "RESET");
            assertThat(cluster.workers()).as("no worker is running after the graceful disconnect (no restart)").isEmpty();
        }
    }

    @Test
    @Graded(points = 5, handout = LEAVING)
    @DisplayName("when the master is killed with SIGKILL, every worker sees its channel's EOF and exits")
    void workersExitWhenTheMasterDies(@TempDir Path dir) throws Exception {
        List<Long> workers = new ArrayList<>();
        // The master's stdout (which its workers inherit) goes into a FIFO we read, not into the
        // Process's pipe: the JDK drains and closes that pipe as soon as the master is reaped, so lines
        // the workers print after the master's death would be lost. A FIFO reaches EOF only when the
        // last writer — master or worker — has closed it.
        Path output = dir.resolve("master.out");
        Libc.mkfifo(output, 0600);
        CompletableFuture<BufferedReader> opened = Await.onNewThread("fifo-open", () -> Files.newBufferedReader(output));
        BufferedReader out = null;
        // The workers' ChildMain watches this JVM instead of the master: only their channel's EOF can stop them.
        try (ChildProcess master = ChildJvm.main(MasterMain.class)
                .jvmArgs("-D" + ChildJvm.WATCH_PID_PROPERTY + "=" + ProcessHandle.current().pid())
                .redirectOutput(ProcessBuilder.Redirect.to(output.toFile())).start()) {
            out = Await.await(opened, TestKit.DEADLINE, "the master never opened its stdout FIFO");
            BufferedReader lines = out;
            CompletableFuture<List<String>> firstLines = Await.onNewThread("master-out", () -> {
                List<String> two = new ArrayList<>();
                for (String line; two.size() < 2 && (line = lines.readLine()) != null; ) {
                    two.add(line);
                }
                return two;
            });
            List<String> two = Await.await(firstLines, TestKit.DEADLINE, "the master in the child JVM did not report two listening workers");
            assertThat(two).as("the master (Cluster.start in a child JVM) ended before two workers were listening: its error is "
                    + "printed above (a TODO?)").hasSize(2);
            for (String line : two) {
                assertThat(line).as("the master's line").startsWith("listening ");
                workers.add(Long.parseLong(line.substring("listening ".length())));
            }
            Libc.kill(master.pid(), Libc.SIGKILL);
            // The FIFO reaches EOF when the last of the workers has exited.
            CompletableFuture<List<String>> rest = Await.onNewThread("master-out", () -> lines.lines().toList());
            List<String> printed = Await.await(rest, TestKit.DEADLINE,
                    "the workers kept running after their master died: a worker must exit when its channel reaches EOF");
            for (long pid : workers) {
                assertThat(printed).as("after the master's SIGKILL, worker %d must notice its channel's EOF, print \"[worker %d] the "
                        + "master is gone ...\" and exit (the workers printed: %s)", pid, pid, printed)
                        .anyMatch(l -> l.startsWith("[worker " + pid + "] the master is gone"));
            }
        } finally {
            for (long pid : workers) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (out == null && !opened.isDone()) {
                // The master never opened the FIFO: open its write end ourselves, so the reader's open(2) returns.
                new java.io.FileOutputStream(output.toFile()).close();
            }
            if (out == null) {
                out = opened.join();
            }
            out.close();
        }
    }

    private static int indexOf(List<TestKit.Event> events, String kind, long pid) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind().equals(kind) && events.get(i).pid() == pid) {
                return i;
            }
        }
        return -1;
    }
}
