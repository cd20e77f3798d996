package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.net.Sockets;
import ipclab.testkit.Await;
import ipclab.testkit.Bytes;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What lab 10 gives the process manager of labs 11 and 12, against the reference solution: a
 * cluster on the caller's loop, one more worker on demand, a shutdown that does not block, the
 * workers' output and JVM options, the {@code ready} message; and the two behaviours a rolling
 * reload rests on (a disconnected worker gets no new socket; a leaving worker refuses a late one).
 */
class ClusterHooksTest {

    private static final String API = "The API you implement";
    private static final String LEAVING = "Step 7: Leaving gracefully, and the master's death";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** Long enough for a worker JVM to start and answer; HookWorkers never leave, so they wait this long for their SIGKILL. */
    private static final Duration SHORT_GRACE = Duration.ofMillis(300);

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("start(loop, ...) on the caller's loop thread sets up inline; events come on that loop; shutdown there completes there and leaves the loop open")
    void runsOnTheCallersLoop() throws Exception {
        try (Daemon daemon = new Daemon()) {
            Cluster cluster = daemon.onLoop(() -> daemon.start(options(2)));
            List<Long> pids = daemon.events.pids("listening", 2);
            assertThat(cluster.workers()).extracting(WorkerHandle::pid).containsExactlyInAnyOrderElementsOf(pids);
            assertThat(answeredBy(fetch(cluster.port()))).isIn(pids);

            CompletableFuture<Thread> completedOn = daemon.onLoop(() -> cluster.shutdown(Duration.ofSeconds(5))
                    .thenApply(done -> Thread.currentThread()).toCompletableFuture());
            Thread loopThread = daemon.onLoop(Thread::currentThread);
            assertThat(Await.await(completedOn, DEADLINE, "shutdown(grace), called on the loop, never completed"))
                    .as("shutdown's stage completes on the cluster's loop").isSameAs(loopThread);
            assertThat(daemon.events.all()).as("both workers left gracefully, and none was restarted")
                    .filteredOn(e -> e.kind().equals("exit")).extracting(Event::detail).containsExactly("code 0", "code 0");
            assertThat(daemon.events.threads()).as("every event came from the caller's loop").containsExactly(loopThread);
            assertThat(cluster.workers()).isEmpty();
            assertThatThrownBy(() -> fetch(cluster.port())).as("the listener is closed").isInstanceOf(ConnectException.class);
            assertThat(daemon.onLoop(() -> "still running")).as("the caller's loop is not closed by the cluster").isEqualTo("still running");
        }
    }

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("start(loop, ...) that fails on the loop thread (port in use) throws at once, and the caller's loop goes on")
    void failedStartOnTheLoop() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(ClusterOptions.LOOPBACK));
             Daemon daemon = new Daemon()) {
            Throwable failure = Await.failureOf(daemon.loop.submit(() -> daemon.start(options(1).withPort(taken.getLocalPort()))),
                    DEADLINE, "start(loop, ...) on the loop thread never returned: did it wait for its own loop?");
            assertThat(failure).hasMessageContaining("EADDRINUSE");
            assertThat(daemon.onLoop(() -> "still running")).isEqualTo("still running");
        }
    }

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("fork() adds a worker beyond options.workers(), from another thread and on the loop; refused after shutdown")
    void forkAddsOneWorker() throws Exception {
        try (Daemon daemon = new Daemon()) {
            Cluster cluster = daemon.start(options(1).withRestart(false));
            daemon.events.pids("listening", 1);
            WorkerHandle second = cluster.fork();
            WorkerHandle third = daemon.onLoop(cluster::fork);
            assertThat(cluster.workers()).as("fork() returns a worker already in workers()").hasSize(3).contains(second, third);
            assertThat(daemon.events.pids("listening", 3)).as("the forked workers come online and listen like the first")
                    .contains(second.pid(), third.pid());
            assertThat(answeredBy(fetch(cluster.port()))).isIn(cluster.workers().stream().map(WorkerHandle::pid).toList());
            Await.await(cluster.shutdown(Duration.ofSeconds(5)).toCompletableFuture(), DEADLINE, "shutdown never completed");
            assertThatThrownBy(cluster::fork).as("no fork once the cluster is shutting down").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("shutdown(grace) SIGKILLs the workers that did not leave within the grace, restarts none, and completes when their exits are handled")
    void shutdownKillsWhoStays(@TempDir Path dir) throws Exception {
        try (Daemon daemon = new Daemon()) {
            Cluster cluster = daemon.start(hookOptions(2, dir));
            List<Long> pids = daemon.events.pids("listening", 2);
            Await.await(cluster.shutdown(SHORT_GRACE).toCompletableFuture(), DEADLINE,
                    "shutdown never completed with two workers that ignore disconnect");
            for (long pid : pids) {
                assertThat(dir.resolve(pid + ".disconnected")).as("worker %d was asked to leave first", pid).exists();
            }
            assertThat(daemon.events.all()).filteredOn(e -> e.kind().equals("exit")).as("killed after the grace, and not restarted")
                    .extracting(Event::detail).containsExactly("signal SIGKILL", "signal SIGKILL");
            assertThat(daemon.events.all()).noneMatch(e -> e.kind().equals("online") && !pids.contains(e.pid()));
        }
    }

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("withWorkerOutput sends the workers' stdout and stderr where it says; withWorkerJvmArgs reaches their JVMs")
    void workerOutputAndJvmArgs(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("workers.out");
        Path err = dir.resolve("workers.err");
        try (Daemon daemon = new Daemon()) {
            daemon.start(hookOptions(2, dir).withWorkerOutput(Redirect.appendTo(out.toFile()), Redirect.appendTo(err.toFile()))
                    .withWorkerJvmArgs(List.of("-Dipclab.hook.mark=marked")));
            List<Long> pids = daemon.events.pids("listening", 2);
            // A HookWorker prints, and flushes, before it connects its channel: both lines are there.
            assertThat(Files.readAllLines(out)).containsExactlyInAnyOrder("out " + pids.get(0) + " marked", "out " + pids.get(1) + " marked");
            assertThat(Files.readAllLines(err)).contains("err " + pids.get(0), "err " + pids.get(1));
        }
    }

    @Test
    @Graded(points = 1, handout = API)
    @DisplayName("a worker's ready message is reported as ClusterEvents.ready, after its online, on the master's loop")
    void readyIsReported(@TempDir Path dir) throws Exception {
        assertThat(new String(ClusterMessage.ready().toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"act\":\"ready\"}");
        try (Daemon daemon = new Daemon()) {
            Cluster cluster = daemon.start(hookOptions(2, dir));
            Recorder events = daemon.events;
            List<Long> ready = events.pids("ready", 2);
            assertThat(ready).containsExactlyInAnyOrderElementsOf(cluster.workers().stream().map(WorkerHandle::pid).toList());
            for (long pid : ready) {
                assertThat(events.indexOf("online", pid)).as("online before ready: %s", events.all()).isLessThan(events.indexOf("ready", pid));
            }
            assertThat(events.threads()).containsExactly(daemon.onLoop(Thread::currentThread));
        }
    }

    @Test
    @Graded(points = 1, handout = LEAVING)
    @DisplayName("disconnect(worker) takes it out of the round before it tells it to leave: no newconn follows the disconnect")
    void disconnectedWorkerGetsNoNewSocket(@TempDir Path dir) throws Exception {
        try (Daemon daemon = new Daemon()) {
            Cluster cluster = daemon.start(hookOptions(2, dir));
            daemon.events.pids("listening", 2);
            WorkerHandle leaving = cluster.workers().getFirst();
            WorkerHandle staying = cluster.workers().getLast();
            cluster.disconnect(leaving);
            Await.until(DEADLINE, () -> Files.exists(dir.resolve(leaving.pid() + ".disconnected")), "the worker never got its disconnect");
            for (int i = 0; i < 10; i++) {
                assertThat(answeredBy(fetch(cluster.port()))).as("connection %d after the disconnect", i).isEqualTo(staying.pid());
            }
            assertThat(dir.resolve(leaving.pid() + ".late")).as("a newconn reached the disconnected worker").doesNotExist();
        }
    }

    /**
     * This test is the master: it sends a real {@link ClusterWorker} a socket, {@code disconnect}, then
     * a second socket, in one callback, so that the second arrives while the worker still finishes the first.
     */
    @Test
    @Graded(points = 1, handout = LEAVING)
    @DisplayName("a leaving ClusterWorker answers a newconn that arrives after disconnect with accepted:false, finishes the open one, exits 0")
    void leavingWorkerRefusesALateSocket() throws Exception {
        List<ClusterMessage> replies = new ArrayList<>();
        CompletableFuture<Void> channelClosed = new CompletableFuture<>();
        AtomicReference<ClusterChannel> master = new AtomicReference<>();
        int[] first = Sockets.socketpair(Sockets.SOCK_STREAM);
        int[] late = Sockets.socketpair(Sockets.SOCK_STREAM);
        ChildProcess worker = null;
        try (EventLoop loop = EventLoop.start("test-master")) {
            ClusterChannel.Listener listener = onLoop(loop, () -> ClusterChannel.Listener.open(loop, channel -> {
                master.set(channel);
                try {
                    channel.start((message, fd) -> {
                        switch (message.act()) {
                            case "listening" -> {
                                channel.send(ClusterMessage.newconn(1), first[1]);
                                channel.send(ClusterMessage.disconnect());
                                channel.send(ClusterMessage.newconn(2), late[1]);
                            }
                            case "reply" -> {
                                synchronized (replies) {
                                    replies.add(message);
                                }
                                int[] pair = message.ack() == 1 ? first : late;
                                Libc.close(pair[1]); // the master's copy, as on any reply
                                pair[1] = -1;
                            }
                            default -> Libc.closeQuietly(fd, "test master");
                        }
                    }, () -> channelClosed.complete(null));
                    // A delay long enough that the worker is still serving the first socket when the other two messages come.
                    channel.send(ClusterMessage.setup(Scheduling.RR, ClusterOptions.LOOPBACK, 1, 2000));
                } catch (IOException e) {
                    channelClosed.completeExceptionally(e);
                }
            }));
            try {
                worker = ChildJvm.main(ClusterWorker.class).env(ClusterChannel.ENV, listener.name())
                        .redirectInput(Redirect.from(new File("/dev/null"))).redirectOutput(Redirect.INHERIT).start();
                assertThat(worker.waitFor(DEADLINE)).as("the worker's exit code once its open connection is answered").isZero();
                Await.await(channelClosed, DEADLINE, "the worker's channel never closed");
                synchronized (replies) {
                    assertThat(replies).containsExactly(ClusterMessage.reply(1, true), ClusterMessage.reply(2, false));
                }
                assertThat(new String(Bytes.readAll(first[0]), StandardCharsets.UTF_8)).isEqualTo("Request handled by worker-" + worker.pid() + "\n");
                assertThat(Bytes.readAll(late[0])).as("the refused socket was not answered").isEmpty();
            } finally {
                onLoop(loop, () -> {
                    listener.close();
                    if (master.get() != null) {
                        master.get().close();
                    }
                    return null;
                });
            }
        } finally {
            if (worker != null) {
                worker.close();
            }
            for (int fd : new int[] {first[0], first[1], late[0], late[1]}) {
                Libc.closeQuietly(fd, "test");
            }
        }
    }

    // ---- helpers ----

    private static ClusterOptions options(int workers) {
        return ClusterOptions.defaults().withWorkers(workers).withDelay(Duration.ZERO);
    }

    private static ClusterOptions hookOptions(int workers, Path dir) {
        return options(workers).withWorkerMain(HookWorker.class, dir.toString());
    }

    private interface LoopCall<T> {
        T call() throws Exception;
    }

    /** Runs {@code task} on {@code loop}'s thread and returns what it returned, or throws what it threw. */
    private static <T> T onLoop(EventLoop loop, LoopCall<T> task) throws Exception {
        return Await.await(loop.submit(task::call), DEADLINE, "the loop did not run the task");
    }

    /**
     * A loop of the test's own, running as a process manager's daemon runs its loop, and the cluster
     * started on it. Closing stops the cluster however the test ended (shutdown; close() if that
     * never completes), then closes the loop.
     */
    private static final class Daemon implements AutoCloseable {
        final EventLoop loop = EventLoop.start("daemon-loop");
        final Recorder events = new Recorder();
        private volatile Cluster cluster;

        Daemon() throws IOException {
        }

        /** {@link Cluster#start(EventLoop, ClusterOptions, ClusterEvents)} from the calling thread, on or off the loop. */
        Cluster start(ClusterOptions options) throws IOException {
            cluster = Cluster.start(loop, options, events);
            return cluster;
        }

        <T> T onLoop(LoopCall<T> task) throws Exception {
            return ClusterHooksTest.onLoop(loop, task);
        }

        @Override
        public void close() throws Exception {
            try (loop) {
                if (cluster != null) {
                    try {
                        Await.await(cluster.shutdown(SHORT_GRACE).toCompletableFuture(), DEADLINE, "shutdown never completed");
                    } finally {
                        cluster.close();
                    }
                }
            }
        }
    }

    private static String fetch(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ClusterOptions.LOOPBACK, port), (int) DEADLINE.toMillis());
            socket.setSoTimeout((int) DEADLINE.toMillis());
            try (InputStream in = socket.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    private static long answeredBy(String answer) {
        assertThat(answer).matches("Request handled by worker-\\d+\n");
        return Long.parseLong(answer.substring("Request handled by worker-".length()).strip());
    }

    /** A reported event: what, which worker, the detail of an exit, and the thread it came on. */
    record Event(String kind, long pid, String detail, Thread thread) {
    }

    /** Every event a cluster reports, in order; a test waits for some with a deadline. */
    private static final class Recorder implements ClusterEvents {
        private final List<Event> events = new ArrayList<>();

        private synchronized void add(String kind, WorkerHandle worker, String detail) {
            events.add(new Event(kind, worker.pid(), detail, Thread.currentThread()));
            notifyAll();
        }

        @Override
        public void online(WorkerHandle worker) {
            add("online", worker, "");
        }

        @Override
        public void listening(WorkerHandle worker, int port) {
            add("listening", worker, "port " + port);
        }

        @Override
        public void ready(WorkerHandle worker) {
            add("ready", worker, "");
        }

        @Override
        public void disconnect(WorkerHandle worker) {
            add("disconnect", worker, "");
        }

        @Override
        public void exit(WorkerHandle worker, ExitStatus status) {
            add("exit", worker, status.code() != null ? "code " + status.code() : "signal " + status.signal());
        }

        synchronized List<Event> all() {
            return List.copyOf(events);
        }

        synchronized List<Thread> threads() {
            return events.stream().map(Event::thread).distinct().toList();
        }

        synchronized int indexOf(String kind, long pid) {
            Predicate<Event> which = e -> e.kind().equals(kind) && e.pid() == pid;
            return events.indexOf(events.stream().filter(which).findFirst().orElseThrow());
        }

        /** Waits for {@code count} events of {@code kind}; returns their pids. */
        synchronized List<Long> pids(String kind, int count) throws InterruptedException {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                List<Long> pids = events.stream().filter(e -> e.kind().equals(kind)).map(Event::pid).toList();
                if (pids.size() >= count) {
                    return pids;
                }
                long left = end - System.nanoTime();
                assertThat(left).as("%d %s events within %s; events: %s", count, kind, DEADLINE, events).isPositive();
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
