package ipclab.lab10;

import ipclab.support.Libc;
import ipclab.support.demo.Narrator;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./ipclab demo cluster}: the master forks two workers, connections are handed over and
 * answered, a worker killed with SIGKILL is replaced, one leaves gracefully; then the same with
 * SO_REUSEPORT, where each worker has a listener of its own.
 */
public final class Demo {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private Demo() {
    }

    /** Events as lines the demo can wait for, and prints like the seed program. */
    private static final class Watch implements ClusterEvents {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final Narrator n;

        Watch(Narrator n) {
            this.n = n;
        }

        @Override
        public void online(WorkerHandle worker) {
            n.say("Create worker-" + worker.pid());
            events.add("online " + worker.pid());
        }

        @Override
        public void listening(WorkerHandle worker, int port) {
            events.add("listening " + worker.pid());
        }

        @Override
        public void disconnect(WorkerHandle worker) {
            n.say("(event) worker " + worker.pid() + ": disconnect — its channel closed");
        }

        @Override
        public void exit(WorkerHandle worker, ExitStatus status) {
            n.say("[Master] worker " + worker.pid() + " died with " + status);
            events.add("exit " + worker.pid());
        }

        String await(String prefix) throws InterruptedException {
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                String e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e.startsWith(prefix)) {
                    return e;
                }
            }
            throw new IllegalStateException("demo: no '" + prefix + "' event within " + WAIT.toSeconds() + " s");
        }
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        roundRobin(n);
        reusePort(n);
        n.step("Done");
        n.say("Every worker was killed and reaped, every socket closed.");
    }

    private static void roundRobin(Narrator n) throws Exception {
        n.step("The master forks two workers (round-robin, answers after 1 s)");
        Watch watch = new Watch(n);
        ClusterOptions options = ClusterOptions.defaults().withWorkers(2).withDelay(Duration.ofSeconds(1));
        try (Cluster cluster = Cluster.start(options, watch)) {
            watch.await("listening");
            watch.await("listening");
            int port = cluster.port();
            n.say("master " + ProcessHandle.current().pid() + " listens on 127.0.0.1:" + port + "; only the master accepts.");
            n.shell("ss", "-ltnp", "sport = :" + port);

            n.step("Four clients connect: the master accepts and hands each socket to a worker");
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(new Socket("127.0.0.1", port));
            }
            List<CompletableFuture<String>> answers = clients.stream().map(Demo::readLater).toList();
            Thread.sleep(300); // a moment for the hand-over, so the tables show it (a demo, not a test)
            for (WorkerHandle worker : cluster.workers()) {
                n.say("worker " + worker.pid() + "'s descriptor table: the TCP sockets it received with SCM_RIGHTS");
                n.shell("sh", "-c", "ls -l /proc/" + worker.pid() + "/fd | grep socket");
            }
            n.shell("ss", "-tnp", "state", "established", "sport = :" + port);
            for (CompletableFuture<String> answer : answers) {
                n.say("client got: " + answer.get(10, TimeUnit.SECONDS).strip());
            }
            for (Socket c : clients) {
                c.close();
            }

            n.step("Traffic: 40 connections, 20 at a time");
            LoadClient.Result result = LoadClient.run("127.0.0.1", port, 40, 20, 0, "rr, 2 workers, 1 s delay");
            n.say("shares: " + result.sharesLine());

            n.step("kill -9 one worker: the master reports it and forks a replacement");
            WorkerHandle victim = cluster.workers().getFirst();
            cluster.kill(victim, Libc.SIGKILL);
            watch.await("exit " + victim.pid());
            watch.await("listening");
            n.say("workers now: " + cluster.workers());

            n.step("disconnect(): a worker leaves gracefully (exit 0, no restart)");
            WorkerHandle leaving = cluster.workers().getFirst();
            cluster.disconnect(leaving);
            watch.await("exit " + leaving.pid());
            n.say("workers now: " + cluster.workers());
        }
    }

    private static void reusePort(Narrator n) throws Exception {
        n.step("SO_REUSEPORT: every worker listens on the same port itself");
        Watch watch = new Watch(n);
        ClusterOptions options = ClusterOptions.defaults().withWorkers(2).withDelay(Duration.ZERO).withScheduling(Scheduling.REUSEPORT);
        try (Cluster cluster = Cluster.start(options, watch)) {
            watch.await("listening");
            watch.await("listening");
            n.say("two listeners on port " + cluster.port() + ", one per worker; the master only holds the port (bound, not listening):");
            n.shell("ss", "-ltnp", "sport = :" + cluster.port());
            LoadClient.Result result = LoadClient.run("127.0.0.1", cluster.port(), 200, 4, 0, "reuseport");
            n.say("200 connections; the kernel's hash chose: " + result.sharesLine());
        }
    }

    private static CompletableFuture<String> readLater(Socket socket) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = socket.getInputStream()) {
                answer.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                answer.complete("(" + e.getMessage() + ")");
            }
        });
        return answer;
    }
}
