package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKit.WorkerErrors.class) // a failure quotes what the workers wrote on standard error
class RoundRobinTest {

    private static final String RR = "Step 4: Round-robin, end to end";
    private static final String DEATHS = "Step 5: When workers die";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 6, handout = RR)
    @DisplayName("round-robin spreads 40 sequential connections evenly (each worker 40-60%), every answer from a live worker")
    void spreadsEvenly() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2), events)) {
            List<Long> pids = events.awaitListening(2);
            Map<Long, Integer> shares = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                long pid = TestKit.answeredBy(TestKit.fetch(cluster.port()));
                assertThat(pids).as("connection %d was answered by worker-%d, which is not one of the cluster's workers", i, pid).contains(pid);
                shares.merge(pid, 1, Integer::sum);
            }
            for (long pid : pids) {
                assertThat(shares.getOrDefault(pid, 0)).as("connections answered by worker %d out of 40 (shares: %s); round-robin "
                        + "gives each free worker its turn: is a worker put back on the free list after its ack?", pid, shares)
                        .isBetween(16, 24);
            }
        }
    }

    @Test
    @Graded(points = 6, handout = RR)
    @DisplayName("ack-gating: a worker that delays its ack never holds two sockets, and the other worker serves meanwhile")
    void ackGating() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2).withWorkerMain(TestWorker.class, "slow-ack", dir.toString()), events)) {
            events.awaitListening(2);
            long slow = Long.parseLong(TestKit.awaitFile(dir.resolve("special"), "no test worker started"));
            List<CompletableFuture<String>> answers = new ArrayList<>();
            List<Long> answeredBy = new CopyOnWriteArrayList<>();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket client = TestKit.connect(cluster.port());
                    clients.add(client);
                    answers.add(Await.onNewThread("client-" + i, () -> {
                        String a = TestKit.readAll(client, "a client was never answered");
                        answeredBy.add(TestKit.answeredBy(a));
                        return a;
                    }));
                }
                boolean othersServed = pollUntil(() -> answeredBy.stream().filter(p -> p != slow).count() >= 3);
                assertThat(othersServed).as("while the slow worker sat on its first socket without acknowledging it, the other worker "
                        + "should have answered the other 3 clients; answered so far: %s (slow worker is %d). Are queued sockets "
                        + "given to the next free worker?", answeredBy, slow).isTrue();
                Files.writeString(dir.resolve("release"), "go");
                for (CompletableFuture<String> a : answers) {
                    Await.await(a, TestKit.DEADLINE, "a client was never answered after the slow worker was released");
                }
                assertThat(answeredBy).as("the slow worker answers its one socket once released").containsOnlyOnce(slow);
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            assertThat(dir.resolve("violations")).as("the slow worker was handed a second socket before it acknowledged the first: "
                    + "a worker must get its next socket only after its ack (it is not on the free list meanwhile)").doesNotExist();
        }
    }

    @Test
    @Graded(points = 4, handout = RR)
    @DisplayName("a socket a worker refuses (reply accepted=false) is answered by another worker")
    void refusedSocketGoesElsewhere() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2).withWorkerMain(TestWorker.class, "refuse", dir.toString()), events)) {
            List<Long> pids = events.awaitListening(2);
            long refuser = Long.parseLong(TestKit.awaitFile(dir.resolve("special"), "no test worker started"));
            for (int i = 0; i < 6; i++) {
                long pid = TestKit.answeredBy(TestKit.fetch(cluster.port()));
                assertThat(pid).as("connection %d: only the worker that does not refuse can answer", i).isNotEqualTo(refuser).isIn(pids);
            }
            assertThat(dir.resolve("refused")).as("the refusing worker was offered at least one of 6 sockets (round-robin)").exists();
        }
    }

    @Test
    @Graded(points = 4, handout = DEATHS)
    @DisplayName("a worker that dies with a socket in flight (no reply): that client is answered by another worker")
    void inFlightSocketSurvivesWorkerDeath() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        ClusterOptions options = TestKit.options(2).withRestart(false).withWorkerMain(TestWorker.class, "die", dir.toString());
        try (Cluster cluster = Cluster.start(options, events)) {
            List<Long> pids = events.awaitListening(2);
            long dying = Long.parseLong(TestKit.awaitFile(dir.resolve("special"), "no test worker started"));
            for (int i = 0; i < 4; i++) {
                String answer = TestKit.fetch(cluster.port());
                assertThat(answer).as("connection %d: the worker it was handed to died before acknowledging it; the master still "
                        + "had its copy and must hand it to another worker, not drop it", i).isNotIn("", "RESET");
                assertThat(TestKit.answeredBy(answer)).isIn(pids).isNotEqualTo(dying);
            }
            TestKit.Event exit = events.await(1, e -> e.kind().equals("exit") && e.pid() == dying,
                    "the dying worker was never handed a socket, or its exit was not reported").getFirst();
            assertThat(exit.status()).as("it called exit(3)").isEqualTo(new ExitStatus(3, null));
        }
    }

    @Test
    @Graded(points = 3, handout = DEATHS)
    @DisplayName("when the last worker dies and restart is off, the queued clients get EOF and close() returns")
    void lastWorkerGone() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        ClusterOptions options = TestKit.options(1).withRestart(false).withWorkerMain(TestWorker.class, "hold", dir.toString());
        Cluster cluster = Cluster.start(options, events);
        List<Socket> clients = new ArrayList<>();
        try {
            long pid = events.awaitListening(1).getFirst();
            for (int i = 0; i < 3; i++) {
                clients.add(TestKit.connect(cluster.port()));
            }
            TestKit.awaitFile(dir.resolve("held"), "the only worker was never handed the first socket");
            cluster.kill(cluster.workers().getFirst(), Libc.SIGKILL);
            events.await(1, e -> e.kind().equals("exit") && e.pid() == pid, "no exit event for the killed worker");
            for (int i = 0; i < 3; i++) {
                String answer = TestKit.readAll(clients.get(i), "client " + i + " still waits although no worker is left and none will "
                        + "come: the master must close the queued (and in-flight) sockets so clients see EOF");
                assertThat(answer).as("client %d: nobody can answer it", i).isIn("", "RESET");
            }
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            CompletableFuture<Void> closed = Await.onNewThread("cluster-close", () -> {
                cluster.close();
                return null;
            });
            Await.await(closed, TestKit.DEADLINE, "Cluster.close() did not return with no worker left");
        }
    }

    /**
     * How long the workers in {@link #killUnderLoad} wait before they answer: long enough that six
     * hand-offs, each confirmed through /proc, are done before the victim answers its first client
     * even on a busy machine, and short enough that an answer comes well within the clients' read
     * deadline ({@link TestKit#DEADLINE}).
     */
    private static final Duration SLOW_ANSWER = Duration.ofSeconds(8);

    @Test
    @Timeout(45) // the slow answers take SLOW_ANSWER on top of the workers' start
    @Graded(points = 4, handout = RR)
    @DisplayName("under load, SIGKILL one worker: every connection the other worker held is answered; only the dead one's may fail")
    void killUnderLoad() throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2).withDelay(SLOW_ANSWER), events)) {
            List<Long> pids = events.awaitListening(2);
            List<Socket> clients = new ArrayList<>();
            try {
                Map<Socket, Long> holder = new HashMap<>();
                for (int i = 0; i < 6; i++) {
                    Socket client = TestKit.connect(cluster.port());
                    clients.add(client);
                    holder.put(client, TestKit.awaitHeldByWorker(cluster.port(), client, pids,
                            "connection " + i + " never moved to a worker (acknowledged, the master's copy closed)"));
                }
                long victim = pids.getFirst();
                long survivor = pids.get(1);
                Libc.kill(victim, Libc.SIGKILL);
                List<CompletableFuture<String>> answers = new ArrayList<>();
                for (Socket c : clients) {
                    answers.add(Await.onNewThread("client", () -> TestKit.readAll(c, "a client got neither an answer nor EOF")));
                }
                for (int i = 0; i < clients.size(); i++) {
                    String answer = Await.await(answers.get(i), TestKit.DEADLINE, "a client hangs");
                    if (holder.get(clients.get(i)) == survivor) {
                        assertThat(answer).as("connection %d was held by the surviving worker %d; killing the other worker must not "
                                + "touch it (did the master cut it off, e.g. with shutdown(2) on a socket it shares?)", i, survivor)
                                .isEqualTo("Request handled by worker-" + survivor + "\n");
                    } else {
                        // EOF or a reset: it died with the connection. Its own answer only if the machine
                        // was so slow that the victim answered before the kill; never anyone else's.
                        assertThat(answer).as("connection %d was held by the killed worker %d: it may see EOF or a reset, "
                                + "never another worker's answer", i, victim)
                                .isIn("", "RESET", "Request handled by worker-" + victim + "\n");
                    }
                }
                assertThat(holder.values()).as("with ack-gated round-robin both workers held connections").contains(survivor);
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }

    /** Waits (up to 10 s) until {@code condition} holds; returns whether it does. */
    private static boolean pollUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end && !condition.getAsBoolean()) {
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
