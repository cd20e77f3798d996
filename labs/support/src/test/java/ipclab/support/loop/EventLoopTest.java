package ipclab.support.loop;

import static ipclab.support.loop.EventLoop.EXCLUSIVE;
import static ipclab.support.loop.EventLoop.READABLE;
import static ipclab.support.loop.EventLoop.WRITABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import ipclab.support.testing.OpenDescriptors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60) // a loop that never answers fails the test instead of hanging the build
class EventLoopTest {

    private static final long WAIT_SECONDS = 10;

    private final List<Integer> opened = new ArrayList<>();
    private EventLoop loop;

    @BeforeEach
    void startLoop() throws Exception {
        loop = EventLoop.start("test-loop");
    }

    @AfterEach
    void closeEverything() throws Exception {
        loop.close();
        for (int fd : opened) {
            Libc.close(fd);
        }
    }

    @Test
    @DisplayName("timers run on the loop thread in order of due time, none early; a cancelled one never runs")
    void timersInOrderAndCancelled() throws Exception {
        List<String> ran = new ArrayList<>(); // touched on the loop thread only
        ConcurrentHashMap<String, Long> lateness = new ConcurrentHashMap<>();
        CompletableFuture<Void> last = new CompletableFuture<>();
        Timer fromElsewhere = loop.schedule(Duration.ofMillis(15), () -> ran.add("cancelled from the test thread"));
        assertThat(fromElsewhere.cancel()).as("cancelled before it ran").isTrue();

        Timer ranAlready = onLoop(() -> {
            for (int millis : new int[] {30, 10, 20}) {
                long scheduledAt = System.nanoTime();
                loop.schedule(Duration.ofMillis(millis), () -> {
                    ran.add(millis + " ms" + (loop.inLoop() ? "" : " off the loop thread"));
                    lateness.put(millis + " ms", System.nanoTime() - scheduledAt - TimeUnit.MILLISECONDS.toNanos(millis));
                });
            }
            Timer cancelled = loop.schedule(Duration.ofMillis(15), () -> ran.add("cancelled on the loop"));
            assertThat(cancelled.cancel()).isTrue();
            assertThat(cancelled.cancel()).as("a second cancel has nothing left to stop").isFalse();
            assertThat(cancelled.isPending()).isFalse();
            loop.schedule(Duration.ofMillis(40), () -> last.complete(null));
            return loop.schedule(Duration.ZERO, () -> ran.add("0 ms"));
        });
        last.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(onLoop(() -> List.copyOf(ran))).containsExactly("0 ms", "10 ms", "20 ms", "30 ms");
        assertThat(lateness.values()).as("nanoseconds late; never early").allSatisfy(late -> assertThat(late).isNotNegative());
        assertThat(ranAlready.cancel()).as("a timer that has run cannot be cancelled").isFalse();
    }

    @Test
    @DisplayName("waiting for a timer, the loop sleeps in epoll_wait until it is due instead of spinning")
    void sleepsUntilTheNextTimer() throws Exception {
        onLoop(() -> null);
        long before = loop.iterations();
        CompletableFuture<Long> turns = new CompletableFuture<>();
        loop.schedule(Duration.ofMillis(100), () -> turns.complete(loop.iterations() - before));
        assertThat(turns.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("turns taken while waiting 100 ms").isLessThan(10);
    }

    @Test
    @DisplayName("execute from 4 threads at once: every task runs, on the loop thread, in order for each thread")
    void executeFromFourThreads() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        int[] lastSeen = new int[threads]; // written by the loop thread only
        AtomicInteger offTheLoop = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch allRan = new CountDownLatch(threads * perThread);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int submitter = t;
            lastSeen[t] = -1;
            submitters.add(Thread.ofPlatform().name("submitter-" + t).start(() -> {
                ready.countDown();
                awaitQuietly(ready);
                for (int i = 0; i < perThread; i++) {
                    int sequence = i;
                    loop.execute(() -> {
                        if (!loop.inLoop()) {
                            offTheLoop.incrementAndGet();
                        }
                        if (lastSeen[submitter] != sequence - 1) {
                            outOfOrder.incrementAndGet();
                        }
                        lastSeen[submitter] = sequence;
                        allRan.countDown();
                    });
                }
            }));
        }
        for (Thread submitter : submitters) {
            submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
        assertThat(allRan.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("all %d tasks ran", threads * perThread).isTrue();
        assertThat(offTheLoop).as("tasks that ran on another thread").hasValue(0);
        assertThat(outOfOrder).as("tasks that ran before one their thread gave earlier").hasValue(0);
        assertThat(lastSeen).containsOnly(perThread - 1);
    }

    @Test
    @DisplayName("submit: the task runs on the loop thread, and its result or what it threw comes back in the future")
    void submitAnswersFromTheLoop() throws Exception {
        assertThat(loop.submit(() -> loop.inLoop()).get(WAIT_SECONDS, TimeUnit.SECONDS)).as("ran on the loop thread").isTrue();
        CompletableFuture<Object> failed = loop.submit(() -> {
            throw new IOException("the task's own failure");
        });
        assertThatThrownBy(() -> failed.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
                .hasRootCauseMessage("the task's own failure");
        loop.close();
        assertThatThrownBy(() -> loop.submit(() -> null)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    @DisplayName("level-triggered READABLE: a handler that reads one byte of three is called three times, then not again")
    void readableIsLevelTriggered() throws Exception {
        int[] pair = socketpair();
        write(pair[1], "abc");
        StringBuilder read = new StringBuilder(); // loop thread only
        List<Integer> events = new ArrayList<>();
        CompletableFuture<Void> threeRead = new CompletableFuture<>();
        onLoop(() -> loop.watch(pair[0], READABLE, (watch, ready) -> {
            events.add(ready);
            byte[] one = new byte[1];
            Libc.read(watch.fd(), one, 0, 1);
            read.append((char) one[0]);
            if (read.length() == 3) {
                threeRead.complete(null);
            }
        }));
        threeRead.get(WAIT_SECONDS, TimeUnit.SECONDS);
        turns(2);

        assertThat(onLoop(read::toString)).isEqualTo("abc");
        assertThat(onLoop(() -> List.copyOf(events))).as("one call per byte, and none once it is empty").containsExactly(READABLE, READABLE, READABLE);
    }

    @Test
    @DisplayName("level-triggered WRITABLE: reported every turn while there is room, never while the buffer is full, again once the peer reads")
    void writableIsLevelTriggered() throws Exception {
        int[] pair = socketpair();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Void> fiveTimes = new CompletableFuture<>();
        Watch watch = onLoop(() -> loop.watch(pair[0], WRITABLE, (w, ready) -> {
            if (calls.incrementAndGet() == 5) {
                w.interest(0); // nothing to write: keeping WRITABLE would spin the loop
                fiveTimes.complete(null);
            }
        }));
        fiveTimes.get(WAIT_SECONDS, TimeUnit.SECONDS);
        turns(2);
        assertThat(calls).as("called on 5 turns without any new event, then paused").hasValue(5);

        long queued = onLoop(() -> fill(pair[0]));
        CompletableFuture<Void> roomAgain = new CompletableFuture<>();
        Watch full = onLoop(() -> {
            watch.cancel();
            return loop.watch(pair[0], WRITABLE, (w, ready) -> {
                w.interest(0);
                roomAgain.complete(null);
            });
        });
        turns(2);
        assertThat(roomAgain).as("a full socket is not WRITABLE").isNotDone();

        drain(pair[1], queued);
        roomAgain.get(WAIT_SECONDS, TimeUnit.SECONDS);
        int interestAfter = onLoop(full::interest);
        assertThat(interestAfter).isZero();
    }

    @Test
    @DisplayName("EXCLUSIVE: two loops share a listening socket with EPOLLEXCLUSIVE, as the kernel shows, and a connection is accepted")
    void exclusiveIsAcceptedByTheKernel() throws Exception {
        String name = "ipclab-loop-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int listener = Sockets.listenUnixAbstract(name, Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        opened.add(listener);
        CompletableFuture<Integer> accepted = new CompletableFuture<>();
        IoHandler accept = (watch, ready) -> {
            int connection = Sockets.accept4(watch.fd(), Sockets.SOCK_NONBLOCK);
            if (connection >= 0) {
                accepted.complete(connection);
            }
        };
        try (EventLoop other = EventLoop.start("test-loop-2")) {
            Watch mine = onLoop(() -> loop.watch(listener, READABLE | EXCLUSIVE, accept));
            onLoop(other, () -> other.watch(listener, READABLE | EXCLUSIVE, accept));
            assertThat(kernelEventsFor(listener)).as("the events each epoll instance has for fd %d", listener).hasSize(2)
                    .allSatisfy(events -> assertThat(events & EXCLUSIVE).isEqualTo(EXCLUSIVE));

            opened.add(Sockets.connectUnixAbstract(name, Sockets.SOCK_STREAM));
            opened.add(accepted.get(WAIT_SECONDS, TimeUnit.SECONDS));

            // The kernel refuses EPOLL_CTL_MOD on an exclusive registration; interest() still works.
            onLoop(() -> {
                mine.interest(READABLE | WRITABLE);
                return null;
            });
            assertThat(kernelEventsFor(listener)).as("after interest(READABLE | WRITABLE)")
                    .containsExactlyInAnyOrder(READABLE | EXCLUSIVE, READABLE | WRITABLE | EXCLUSIVE);
            onLoop(() -> {
                mine.interest(READABLE);
                return null;
            });
            assertThat(kernelEventsFor(listener)).containsOnly(READABLE | EXCLUSIVE);
        }
    }

    @Test
    @DisplayName("generation guard: an event for a descriptor cancelled, closed and reused earlier in the same turn is dropped")
    void staleEventsAreDropped() throws Exception {
        int[] first = socketpair();
        int[] second = socketpair();
        int[] replacement = socketpair();
        write(first[1], "1");
        write(second[1], "2");
        AtomicInteger oldCalls = new AtomicInteger();
        AtomicInteger newCalls = new AtomicInteger();
        CompletableFuture<String> newRead = new CompletableFuture<>();
        Watch[] watches = new Watch[2];
        IoHandler replaceTheOther = (watch, ready) -> {
            oldCalls.incrementAndGet();
            // Whichever comes first: its event and the other's are in this turn's batch.
            Watch other = watches[0] == watch ? watches[1] : watches[0];
            watch.cancel();
            other.cancel();
            // Close the other's socket and put another, not readable, under its number (as close
            // followed by socket() would, when the kernel hands out the lowest free number).
            Libc.dup2(replacement[0], other.fd());
            loop.watch(other.fd(), READABLE, (fresh, freshReady) -> {
                newCalls.incrementAndGet();
                byte[] one = new byte[1];
                Libc.read(fresh.fd(), one, 0, 1);
                newRead.complete(new String(one, StandardCharsets.US_ASCII));
                fresh.cancel();
            });
        };
        onLoop(() -> {
            // Both are readable already: the next epoll_wait reports them together.
            watches[0] = loop.watch(first[0], READABLE, replaceTheOther);
            watches[1] = loop.watch(second[0], READABLE, replaceTheOther);
            return null;
        });
        turns(2);
        assertThat(oldCalls).as("calls for the two original sockets: the second's event belongs to a cancelled watch").hasValue(1);
        assertThat(newCalls).as("calls of the new watch, whose socket has nothing to read").hasValue(0);

        write(replacement[1], "3");
        assertThat(newRead.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("3");
    }

    @Test
    @DisplayName("a handler that throws is reported with its descriptor, loses its watch, and the loop goes on")
    void throwingHandlerDoesNotStopTheLoop() throws Exception {
        long began = System.nanoTime();
        int[] pair = socketpair();
        write(pair[1], "x");
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Watch> thrown = new CompletableFuture<>();
        String report = capturingStandardError(() -> {
            onLoop(() -> loop.watch(pair[0], READABLE, (watch, ready) -> {
                calls.incrementAndGet();
                thrown.complete(watch);
                throw new IllegalStateException("boom");
            }));
            Watch watch = thrown.get(WAIT_SECONDS, TimeUnit.SECONDS);
            loop.execute(() -> {
                throw new IllegalArgumentException("a task's mistake");
            });
            turns(2);
            assertThat(onLoop(watch::isActive)).isFalse();
        });
        assertThat(calls).as("calls, with the byte still unread: level-triggered, a live watch would be called every turn").hasValue(1);
        assertThat(report).contains("fd " + pair[0]).contains("IllegalStateException: boom")
                .contains("IllegalArgumentException: a task's mistake");
        assertThat(Libc.fcntl(pair[0], Libc.F_GETFD)).as("the descriptor stays open").isNotNegative();
        assertThat(CallbackFailures.since(began)).as("both failures, kept for a test that waits in vain")
                .extracting(failure -> failure.thrown().getMessage()).containsExactly("boom", "a task's mistake");
        assertThat(CallbackFailures.describeSince(began)).startsWith("; meanwhile, on event loop ")
                .contains("the handler watching fd " + pair[0] + " threw java.lang.IllegalStateException: boom")
                .endsWith("(and 1 more callback failures after it)");
        assertThat(CallbackFailures.describeSince(System.nanoTime())).as("nothing threw since now").isEmpty();
    }

    @Test
    @DisplayName("close() frees the epoll instance and the eventfd, from another thread or from a callback")
    void closeFreesItsDescriptors() throws Exception {
        EventLoop.start("warm-up").close();
        long before = OpenDescriptors.count();

        EventLoop fromOutside = EventLoop.start("closed-from-outside");
        Thread itsThread = onLoop(fromOutside, Thread::currentThread);
        assertThat(OpenDescriptors.count()).as("an epoll instance and an eventfd").isEqualTo(before + 2);
        fromOutside.close();
        assertThat(OpenDescriptors.count()).as("freed when close() returns").isEqualTo(before);
        itsThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(itsThread.isAlive()).as("the loop's thread ends").isFalse();
        assertThatThrownBy(() -> fromOutside.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        fromOutside.close();

        EventLoop fromInside = EventLoop.start("closed-from-inside");
        Thread insideThread = onLoop(fromInside, Thread::currentThread);
        fromInside.execute(fromInside::close);
        insideThread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(insideThread.isAlive()).isFalse();
        assertThat(OpenDescriptors.count()).isEqualTo(before);
    }

    @Test
    @DisplayName("a task queued with what to do if it never runs: close() runs that instead, once, and the task never runs")
    void closeHandsBackWhatDroppedTasksHeld() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger handedBack = new AtomicInteger();
        EventLoop idle = EventLoop.open(); // never run: whatever is queued stays queued until close()
        idle.execute(ran::incrementAndGet, handedBack::incrementAndGet);
        idle.execute(ran::incrementAndGet); // nothing to hand back: dropped, as before
        idle.close();
        idle.close();
        assertThat(ran).as("tasks run after close()").hasValue(0);
        assertThat(handedBack).as("ifDropped calls").hasValue(1);
        assertThatThrownBy(() -> idle.execute(ran::incrementAndGet, handedBack::incrementAndGet))
                .as("on a closed loop the caller is told at once, and keeps what the task held")
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(handedBack).hasValue(1);

        CompletableFuture<Void> ranOnLoop = new CompletableFuture<>();
        loop.execute(() -> ranOnLoop.complete(null), () -> ranOnLoop.completeExceptionally(new AssertionError("dropped")));
        ranOnLoop.get(WAIT_SECONDS, TimeUnit.SECONDS); // on a running loop it is an ordinary task
    }

    @Test
    @DisplayName("open() and run(): the calling thread is the loop until stop(); what was scheduled before run() runs on it")
    void runOnTheCallingThread() throws Exception {
        try (EventLoop own = EventLoop.open()) {
            CompletableFuture<Thread> ranOn = new CompletableFuture<>();
            own.schedule(Duration.ZERO, () -> {
                ranOn.complete(Thread.currentThread());
                own.stop();
            });
            own.run();
            assertThat(ranOn.getNow(null)).isSameAs(Thread.currentThread());
            assertThat(own.inLoop()).as("after run() returned").isFalse();
        }
    }

    @Test
    @DisplayName("errors say what to do: watch off the loop thread, a regular file, a descriptor watched twice, run() inside the loop")
    void misuseIsExplained(@TempDir Path dir) throws Exception {
        int[] pair = socketpair();
        assertThatThrownBy(() -> loop.watch(pair[0], READABLE, (w, e) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("through execute");

        int file = Libc.open(Files.writeString(dir.resolve("f"), "x"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        opened.add(file);
        assertThatThrownBy(() -> onLoop(() -> loop.watch(file, READABLE, (w, e) -> { })))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EPERM)).isTrue())
                .hasMessageContaining("epoll_ctl(EPOLL_CTL_ADD").hasMessageContaining("regular file");

        onLoop(() -> loop.watch(pair[0], READABLE, (w, e) -> { }));
        assertThatThrownBy(() -> onLoop(() -> loop.watch(pair[0], WRITABLE, (w, e) -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("watched by test-loop already");
        assertThatThrownBy(() -> onLoop(() -> {
            loop.run();
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessage("event loop test-loop is run by thread test-loop already");
    }

    // --- helpers -------------------------------------------------------------------------------

    private <T> T onLoop(Callable<T> work) throws Exception {
        return onLoop(loop, work);
    }

    /** Runs {@code work} on {@code target}'s thread and returns its result, or throws what it threw. */
    private static <T> T onLoop(EventLoop target, Callable<T> work) throws Exception {
        try {
            return target.submit(work).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Returns after the loop has made {@code count} more full turns, each with its epoll_wait and its handlers. */
    private void turns(int count) throws Exception {
        for (int i = 0; i < count + 1; i++) {
            onLoop(() -> null);
        }
    }

    private int[] socketpair() throws ErrnoException {
        int[] pair = Sockets.socketpair(Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        opened.add(pair[0]);
        opened.add(pair[1]);
        return pair;
    }

    private static void write(int fd, String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertThat(Libc.write(fd, bytes, 0, bytes.length)).isEqualTo(bytes.length);
    }

    /** Sends to {@code fd} until it takes no more; returns how much it took. */
    private static long fill(int fd) throws ErrnoException {
        long total = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(4096);
            int sent;
            while ((sent = Sockets.send(fd, chunk, chunk.byteSize())) > 0) {
                total += sent;
            }
        }
        return total;
    }

    /** Reads {@code bytes} bytes from non-blocking {@code fd}, waiting with poll(2) whenever none are there. */
    private static void drain(int fd, long bytes) throws ErrnoException {
        Received received = new Received(0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(65536);
            long left = bytes;
            while (left > 0) {
                int n = Sockets.recvmsg(fd, buffer, Math.min(left, buffer.byteSize()), received);
                if (n < 0) {
                    Libc.poll(fd, Libc.POLLIN, (int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                } else {
                    left -= n;
                }
            }
        }
    }

    /** The events asked for by every epoll registration of {@code fd} in this process, from /proc/self/fdinfo. */
    private static List<Integer> kernelEventsFor(int fd) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (Stream<Path> links = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : links.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (IOException gone) {
                    continue; // the listing's own descriptor
                }
                if (!target.equals("anon_inode:[eventpoll]")) {
                    continue;
                }
                // "tfd:        7 events:       19 data: 100000007  pos:0 ino:... sdev:..."
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + link.getFileName()))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length >= 4 && fields[0].equals("tfd:") && Integer.parseInt(fields[1]) == fd) {
                        // Without the EPOLLERR and EPOLLHUP the kernel adds to every registration.
                        found.add(Integer.parseUnsignedInt(fields[3], 16) & (READABLE | WRITABLE | EXCLUSIVE));
                    }
                }
            }
        }
        return found;
    }

    private interface Block {
        void run() throws Exception;
    }

    /** What {@code block} (and the loop, meanwhile) wrote to standard error. */
    private static String capturingStandardError(Block block) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            block.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
