package ipclab.lab03;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import ipclab.testkit.Tasks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the lab 03 tests share: raw FIFOs, a raw client of the server, and where a thread waits for a FIFO's other side. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(10);

    private TestKit() {
    }

    /** mkfifo(3) directly, so that later steps do not depend on your Fifo.create. */
    static Path rawFifo(Path dir, String name) throws ErrnoException {
        Path fifo = dir.resolve(name);
        Libc.mkfifo(fifo, 0600);
        return fifo;
    }

    /** open(2) directly, close-on-exec added. */
    static int rawOpen(Path path, int flags) throws ErrnoException {
        return Libc.open(path, flags | Libc.O_CLOEXEC, 0);
    }

    /** {@code true} when {@code path} is a FIFO (file type S_IFIFO), as lstat(2) says. */
    static boolean isFifo(Path path) {
        return (mode(path) & 0170000) == 0010000;
    }

    /** The st_mode of {@code path} (not following a link), or -1 when it does not exist. */
    static int mode(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Waits until thread {@code tid} sleeps (state S) in a kernel function whose name ends with one
     * of {@code functions}, as /proc/self/task/TID/wchan shows, looking every millisecond: there is
     * no event for "is asleep", only the kernel's word. Fails as soon as {@code work} finishes
     * instead (rethrowing its exception, so a TODO reads as a TODO), and at the deadline.
     */
    static void awaitSleepingIn(String tid, CompletableFuture<?> work, String whenItFinishes, String whenItNeverSleeps,
                                String... functions) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            if (work.isDone()) {
                Await.await(work, DEADLINE, ""); // throws what the work threw
                fail(whenItFinishes);
            }
            String where = Tasks.wchan(tid);
            char state = Tasks.state(tid);
            if (state == 'S' && Stream.of(functions).anyMatch(where::endsWith)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(whenItNeverSleeps + " (after " + DEADLINE.toSeconds() + " s the thread is in state " + state
                        + ", wchan \"" + where + "\"; expected to sleep in " + String.join(" or ", functions) + ")");
            }
            Thread.sleep(1);
        }
    }

    /**
     * The outcome of an open that should not wait: the descriptor, or the {@link ErrnoException} it
     * failed with. Any other exception (a TODO) is thrown as is; an open still waiting at the
     * deadline fails the test with {@code whenItHangs}.
     */
    static Object openOutcome(CompletableFuture<Integer> opening, String whenItHangs) throws Exception {
        try {
            return Await.await(opening, DEADLINE, whenItHangs);
        } catch (ErrnoException e) {
            return e;
        }
    }

    /**
     * Cleans up after an open on another thread: a thread still blocked in open(2) is released by
     * opening the other side for a moment (non-blocking), and the descriptor the open got is closed
     * unless the test has closed it already. {@code forReading} says which side the open wanted.
     */
    static void release(Path fifo, CompletableFuture<Integer> opening, boolean forReading) {
        try {
            if (!opening.isDone()) {
                int peer = forReading ? rawOpen(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK) : rawOpen(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK);
                Libc.close(peer);
            }
            Integer fd = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (fd != null && fd >= 0 && FdTargets.referringTo(fifo).contains(fd)) {
                Libc.close(fd);
            }
        } catch (Exception e) {
            // The open failed or never started: it holds nothing.
        }
    }

    /**
     * Acts as a client of the sequence-number server with raw system calls only: makes a reply
     * FIFO, opens it for reading (non-blocking), writes the request, waits for the reply with
     * poll(2), and removes the reply FIFO again.
     *
     * @return the first number the server handed out
     */
    static long rawRequest(Path requestFifo, int count) throws Exception {
        Path reply = requestFifo.resolveSibling("test-reply-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Libc.mkfifo(reply, 0600);
        try {
            int replyFd = rawOpen(reply, Libc.O_RDONLY | Libc.O_NONBLOCK);
            try {
                int out;
                try {
                    out = rawOpen(requestFifo, Libc.O_WRONLY | Libc.O_NONBLOCK);
                } catch (ErrnoException e) {
                    return fail("could not send a request: " + e.getMessage() + ". The server must hold its request FIFO"
                            + " open for reading from create() on");
                }
                try {
                    byte[] request = new Request(ProcessHandle.current().pid(), count, reply).encode();
                    Libc.write(out, request, 0, request.length);
                } finally {
                    Libc.close(out);
                }
                short revents = Libc.poll(replyFd, Libc.POLLIN, (int) DEADLINE.toMillis());
                if ((revents & Libc.POLLIN) == 0) {
                    return fail("no reply on the reply FIFO within " + DEADLINE.toSeconds() + " s (poll says " + revents
                            + "): is serve() reading requests and answering each with deliver()?");
                }
                byte[] buffer = new byte[200];
                int n = Libc.read(replyFd, buffer, 0, buffer.length);
                String text = new String(buffer, 0, n, StandardCharsets.UTF_8);
                if (!text.endsWith("\n")) {
                    return fail("the reply should be one line, the number and a newline, written with one write(2); got \"" + text + "\"");
                }
                return Reply.decode(text).first();
            } finally {
                Libc.close(replyFd);
            }
        } finally {
            Files.deleteIfExists(reply);
        }
    }

    /**
     * How a child process ended, once it has: its exit status and what it wrote to stderr (which
     * must be a pipe), without the stack frames of the JDK's and the launcher's own code.
     */
    static String exitReport(ipclab.support.ChildProcess child) throws Exception {
        int status = child.waitFor(DEADLINE);
        String said = new String(child.process().getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.contains("java.base/") && !line.contains("ipclab.support.ChildMain"))
                .collect(Collectors.joining("\n")).strip();
        return "it exited with status " + status + (said.isEmpty() ? "" : "; it said:\n" + said);
    }

    /** The names in {@code dir}, sorted, for messages. */
    static List<String> namesIn(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
