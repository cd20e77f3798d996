package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.support.loop.CallbackFailures;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Helpers for the lab 10 tests: recording a cluster's events, clients with deadlines, who holds a socket. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);

    private TestKit() {
    }

    /**
     * Where the workers of the running test write their standard error: a worker that throws (a
     * {@code TODO} in {@code ClusterWorker}, say) says why only there, and a failure quotes it
     * ({@link #whatWentWrong()}). Made and removed around each test by {@link WorkerErrors}; null
     * outside a test (a master in a child JVM), where the workers' standard error is inherited.
     */
    private static volatile Path workerErrors;
    /** The most of the workers' standard error a failure quotes: the end, where the exception is. */
    private static final int QUOTED_BYTES = 3000;

    /** {@code workers} workers, port 0, no delay, restart on, round-robin; their standard error in the test's file. */
    static ClusterOptions options(int workers) {
        Path errors = workerErrors;
        return ClusterOptions.defaults().withWorkers(workers).withPort(0).withDelay(Duration.ZERO)
                .withWorkerOutput(Redirect.INHERIT, errors == null ? Redirect.INHERIT : Redirect.appendTo(errors.toFile()));
    }

    /** Gives each test of a class that forks workers a file for their standard error, and removes it afterwards. */
    static final class WorkerErrors implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) throws IOException {
            workerErrors = Files.createTempFile("lab10-workers-", ".stderr");
        }

        @Override
        public void afterEach(ExtensionContext context) throws IOException {
            Path errors = workerErrors;
            workerErrors = null;
            if (errors != null) {
                Files.deleteIfExists(errors);
            }
        }
    }

    /**
     * What explains an event or an answer that never came: what a callback on the master's loop threw
     * since the test began, and the end of what its workers wrote on standard error. Empty when neither.
     */
    static String whatWentWrong() {
        return CallbackFailures.describeSince(testBegan) + workersStandardError();
    }

    private static String workersStandardError() {
        Path errors = workerErrors;
        if (errors == null) {
            return "";
        }
        try {
            byte[] all = Files.readAllBytes(errors);
            int from = Math.max(0, all.length - QUOTED_BYTES);
            if (from > 0) { // quote whole lines: start after the line the cut falls in
                while (from < all.length && all[from - 1] != '\n') {
                    from++;
                }
            }
            if (from >= all.length) {
                return "";
            }
            String text = new String(all, from, all.length - from, StandardCharsets.UTF_8).strip();
            return "\nThe workers wrote on standard error" + (from > 0 ? " (the end of it)" : "") + ":\n" + text;
        } catch (IOException e) {
            return "\n(the workers' standard error could not be read: " + e + ")";
        }
    }

    /** One event as the cluster reported it, and the thread it was reported on. */
    record Event(String kind, long pid, int port, ExitStatus status, Thread thread) {
        Event(String kind, long pid, int port, ExitStatus status) {
            this(kind, pid, port, status, Thread.currentThread());
        }

        @Override
        public String toString() {
            return kind + " " + pid + (kind.equals("listening") ? " port " + port : "") + (status != null ? " " + status : "");
        }
    }

    /**
     * When the running test made its {@link Recorder}, which every cluster test does first: what a
     * callback on the master's loop threw since then explains an event or an answer that never came
     * (a {@code TODO} thrown on the loop is only printed).
     */
    private static volatile long testBegan = System.nanoTime();

    /** Records every event, in order, and lets a test wait for one with a deadline. */
    static final class Recorder implements ClusterEvents {
        private final List<Event> events = new ArrayList<>();

        Recorder() {
            testBegan = System.nanoTime();
        }

        private synchronized void add(Event e) {
            events.add(e);
            notifyAll();
        }

        @Override
        public void online(WorkerHandle worker) {
            add(new Event("online", worker.pid(), 0, null));
        }

        @Override
        public void listening(WorkerHandle worker, int port) {
            add(new Event("listening", worker.pid(), port, null));
        }

        @Override
        public void disconnect(WorkerHandle worker) {
            add(new Event("disconnect", worker.pid(), 0, null));
        }

        @Override
        public void exit(WorkerHandle worker, ExitStatus status) {
            add(new Event("exit", worker.pid(), 0, status));
        }

        synchronized List<Event> all() {
            return List.copyOf(events);
        }

        /**
         * Checks that every event so far came from one thread, and not from the test's: the master
         * runs one loop, and its callbacks run there, as Node's do.
         */
        synchronized void assertOneLoop() {
            List<String> threads = events.stream().map(e -> e.thread().getName()).distinct().toList();
            assertThat(threads).as("the threads the master reported its events on (%s): one loop "
                    + "per process means one thread for every callback (the workers' channels, their exits posted with execute)", events)
                    .hasSize(1);
            assertThat(events.getFirst().thread()).as("events come from the master's loop, not from "
                    + "the thread that called Cluster.start (%s)", Thread.currentThread().getName()).isNotSameAs(Thread.currentThread());
        }

        /** Waits until {@code count} events match; fails with {@code whenMissing} and the events seen so far. */
        synchronized List<Event> await(int count, Predicate<Event> which, String whenMissing) throws InterruptedException {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                List<Event> matching = events.stream().filter(which).toList();
                if (matching.size() >= count) {
                    return matching;
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return fail(whenMissing + " (events within " + DEADLINE.toSeconds() + " s: " + events + ")"
                            + whatWentWrong());
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }

        /** Waits for {@code count} workers to be listening; returns their pids. */
        List<Long> awaitListening(int count) throws InterruptedException {
            return await(count, e -> e.kind().equals("listening"),
                    "expected " + count + " workers to report listening: do the workers connect their channel (" + ClusterChannel.ENV
                            + "), does the master send setup, does the worker answer listening and the master emit the event?")
                    .stream().map(Event::pid).distinct().toList();
        }
    }

    /** A connected client, with a read deadline so that no test waits for ever. */
    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) DEADLINE.toMillis());
            socket.setSoTimeout((int) DEADLINE.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Everything the server sends until EOF ("" when it closed without a word; "RESET" when it reset). */
    static String readAll(Socket socket, String whenItHangs) throws IOException {
        try (InputStream in = socket.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return fail("no answer and no EOF within " + DEADLINE.toSeconds() + " s: " + whenItHangs + whatWentWrong());
        } catch (java.net.SocketException e) {
            return "RESET";
        } finally {
            socket.close();
        }
    }

    /** One whole request: connect, read to EOF. */
    static String fetch(int port) throws IOException {
        try (Socket socket = connect(port)) {
            return readAll(socket, "the cluster accepted the connection but nobody answered it: does a worker get it, answer and close it?");
        }
    }

    /** The pid named by "Request handled by worker-PID\n", or fails saying what came instead. */
    static long answeredBy(String answer) {
        if (!answer.matches("Request handled by worker-\\d+\n")) {
            return fail("expected exactly \"Request handled by worker-<pid>\\n\" and then EOF, got \"" + answer.replace("\n", "\\n") + "\"");
        }
        return Long.parseLong(answer.substring("Request handled by worker-".length()).strip());
    }

    /**
     * The inode of the server side of the connection whose client end has local port
     * {@code clientPort}, from /proc/net/tcp and tcp6 (local port = {@code serverPort}), or -1.
     */
    static long serverSideInode(int serverPort, int clientPort) throws IOException {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[1].contains(":")) {
                    continue;
                }
                int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                if (local == serverPort && remote == clientPort && !f[9].equals("0")) {
                    return Long.parseLong(f[9]);
                }
            }
        }
        return -1;
    }

    /**
     * Waits until the server side of {@code client} is held by one of {@code workers} and no longer
     * by this process (the master closed its copy after the worker's ack); returns that worker's pid.
     * Polls /proc: the kernel has no notification for "a descriptor moved".
     */
    static long awaitHeldByWorker(int serverPort, Socket client, List<Long> workers, String whenNot) throws Exception {
        long self = ProcessHandle.current().pid();
        return Await.polling(DEADLINE, () -> {
            long inode = serverSideInode(serverPort, client.getLocalPort());
            String socket = "socket:[" + inode + "]";
            if (inode > 0 && !FdTargets.holds(self, socket)) {
                for (long pid : workers) {
                    if (FdTargets.holds(pid, socket)) {
                        return pid;
                    }
                }
            }
            return null;
        }, whenNot);
    }

    /** Waits for a file a helper worker writes, and returns its content. */
    static String awaitFile(Path file, String whenMissing) throws Exception {
        return Await.polling(DEADLINE, () -> {
            String text = Files.exists(file) ? Files.readString(file).strip() : "";
            return text.isEmpty() ? null : text;
        }, whenMissing);
    }
}
