package ipclab.support.loop;

import ipclab.support.ErrnoException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One event loop: one thread that waits in {@code epoll_wait(2)} for any of many descriptors to be
 * ready, and then calls what was registered for each. This is the architecture of Node.js (libuv
 * underneath): one loop per process, every callback on the loop's thread, so the code a callback
 * runs needs no locks. It is lab 05's {@code Selector} loop one level lower, on epoll itself, so it
 * takes any descriptor: a JDK channel's, junixsocket's, one received with {@code SCM_RIGHTS}.
 *
 * <p>What it offers, and libuv's name for it:
 * <table>
 *   <caption>EventLoop and libuv</caption>
 *   <tr><th>here</th><th>libuv</th><th>Node.js</th></tr>
 *   <tr><td>{@link #watch} &rarr; {@link Watch}</td><td>{@code uv__io_t}, {@code uv_poll_t}</td><td>a socket's handle</td></tr>
 *   <tr><td>{@link #schedule} &rarr; {@link Timer}</td><td>{@code uv_timer_t}</td><td>{@code setTimeout}</td></tr>
 *   <tr><td>{@link #execute}</td><td>{@code uv_async_t}</td><td>a worker thread's result coming back</td></tr>
 *   <tr><td>{@link #run}, {@link #stop}</td><td>{@code uv_run}, {@code uv_stop}</td><td>the process's main loop</td></tr>
 * </table>
 *
 * <p>One turn of the loop, in libuv's order ({@code uv_run}):
 * <ol>
 *   <li>note the time ({@link #nowNanos()});</li>
 *   <li>run the timers that are due;</li>
 *   <li>run the tasks other threads queued with {@link #execute} (those queued by these tasks wait for
 *       the next turn);</li>
 *   <li>wait in {@code epoll_wait}: not at all if tasks are queued, else until the next timer is due,
 *       else for as long as it takes;</li>
 *   <li>call the handler of each ready descriptor.</li>
 * </ol>
 *
 * <p>Watching is level-triggered (see {@link Watch}). Every callback runs on the loop thread and
 * must not block. A callback that throws is reported on standard error (and kept in
 * {@link CallbackFailures}, for a test that waits in vain) and the loop goes on; a handler that
 * throws also loses its watch.
 *
 * <p>Three ways to get a loop: {@link #start} (a thread of its own), {@link #main()} (the process's
 * loop, started on first use) and {@link #open()} followed by {@link #run()} (the calling thread
 * becomes the loop, as a worker's {@code main} does). {@link #close()} frees the epoll instance and
 * the eventfd; the descriptors you watched stay yours to close.
 */
public final class EventLoop implements Executor, AutoCloseable {

    /** Ready to read: data is waiting, a peer closed its end (a read returns 0), or a listener has a connection. */
    public static final int READABLE = Epoll.EPOLLIN;
    /** Ready to write: the socket or pipe buffer has room. */
    public static final int WRITABLE = Epoll.EPOLLOUT;
    /**
     * With {@link #READABLE}, given to {@link #watch} only: when several processes' loops watch one
     * shared listening socket, a new connection wakes one of them, not all (Linux 4.5,
     * {@code EPOLLEXCLUSIVE}). libuv never sets it, so every Node worker wakes for every connection.
     */
    public static final int EXCLUSIVE = Epoll.EPOLLEXCLUSIVE;
    /** Reported, never asked for: both directions are closed (a pipe whose writers are gone, a socket shut down both ways). */
    public static final int HANGUP = Epoll.EPOLLHUP;
    /** Reported, never asked for: an error is pending on the descriptor; the next read or write returns it. */
    public static final int ERROR = Epoll.EPOLLERR;

    /** How many ready descriptors one epoll_wait reports at most; the rest wait for the next turn. */
    private static final int MAX_EVENTS_PER_TURN = 256;
    /** No timer waits longer than this (a century): its due time must still fit in a long. */
    private static final long LONGEST_DELAY_NANOS = Duration.ofDays(36_500).toNanos();

    private static EventLoop mainLoop;

    private final String name;
    private final Epoll epoll;
    private final Wakeup wakeup;

    /** Watches by descriptor number, as libuv's {@code loop->watchers}: numbers are small and dense. */
    private Watch[] watches = new Watch[64];
    private int nextGeneration;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Timer.ORDER);
    private long nextTimerSequence;

    /** Tasks from {@link #execute}, guarded by its own lock; the loop swaps it with {@link #draining}. */
    private ArrayDeque<Runnable> queued = new ArrayDeque<>();
    private ArrayDeque<Runnable> draining = new ArrayDeque<>();
    private final Object queueLock = new Object();

    /** The thread in {@link #run()} (or about to be, after {@link #start}), or null. Written under this object's lock. */
    private volatile Thread thread;
    /** True while {@link #run()} runs: a callback that calls it again is refused. Guarded by this object's lock. */
    private boolean running;
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private volatile boolean released;
    private volatile long now = System.nanoTime();
    private volatile long iterations;

    private EventLoop(String name) throws ErrnoException {
        this.name = name;
        this.epoll = new Epoll(MAX_EVENTS_PER_TURN);
        Wakeup created = null;
        try {
            created = new Wakeup();
            this.wakeup = created;
            watch(wakeup.fd(), READABLE, (watch, events) -> wakeup.drain());
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(created);
            closeQuietly(epoll);
            throw e;
        }
    }

    /**
     * A new loop that nothing runs yet: watch and schedule what you need, then call {@link #run()}
     * on the thread that is to be the loop (a worker's main thread, say).
     *
     * @throws ErrnoException when epoll_create1 or eventfd fails (EMFILE: out of descriptors)
     */
    public static EventLoop open() throws ErrnoException {
        return new EventLoop("event-loop");
    }

    /**
     * A new loop running on a platform thread of its own called {@code threadName}: never a virtual
     * thread, whose carrier {@code epoll_wait} would pin for as long as it sleeps. The thread is a
     * daemon (it does not keep the JVM alive) and ends when the loop is stopped or closed.
     *
     * @throws ErrnoException when epoll_create1 or eventfd fails
     */
    public static EventLoop start(String threadName) throws ErrnoException {
        EventLoop loop = new EventLoop(threadName);
        Thread runner = Thread.ofPlatform().name(threadName).daemon(true).unstarted(loop::run);
        synchronized (loop) {
            loop.thread = runner; // before start(): inLoop() is right from the first moment
        }
        runner.start();
        return loop;
    }

    /**
     * The process's loop, on a daemon thread called {@code event-loop}, started by the first call.
     * Nobody should close it: it lives as long as the process.
     *
     * @throws UncheckedIOException when it cannot be created
     */
    public static synchronized EventLoop main() {
        if (mainLoop == null) {
            try {
                mainLoop = start("event-loop");
            } catch (ErrnoException e) {
                throw new UncheckedIOException("could not start the process's event loop", e);
            }
        }
        return mainLoop;
    }

    /**
     * Runs the loop on the calling thread until {@link #stop()} or {@link #close()}. Unlike libuv's
     * {@code uv_run}, it does not return when nothing is left to watch: the JVM, not the loop,
     * decides when the process ends. After {@code stop()} it may be run again.
     *
     * @throws IllegalStateException when another thread runs it, or it is closed
     * @throws UncheckedIOException  when epoll_wait itself fails
     */
    public void run() {
        Thread current = Thread.currentThread();
        synchronized (this) {
            if (released) {
                throw new IllegalStateException("event loop " + name + " is closed");
            }
            if (running || (thread != null && thread != current)) {
                throw new IllegalStateException("event loop " + name + " is run by thread " + thread.getName() + " already");
            }
            thread = current;
            running = true;
        }
        try {
            while (!stopRequested) {
                turn();
            }
        } catch (ErrnoException e) {
            throw new UncheckedIOException("event loop " + name + " stopped", e);
        } finally {
            synchronized (this) {
                running = false;
                stopRequested = false;
                thread = null;
                if (closed) {
                    release();
                }
                notifyAll();
            }
        }
    }

    private void turn() throws ErrnoException {
        now = System.nanoTime();
        runDueTimers();
        runQueuedTasks();
        // From here until epoll_wait returns, a thread that queues a task must wake us.
        wakeup.mayFallAsleep();
        int ready = epoll.await(pollTimeoutNanos());
        wakeup.awoke();
        callHandlers(ready);
        iterations = iterations + 1; // only this thread writes it
    }

    private void runDueTimers() {
        long firstNew = nextTimerSequence; // timers scheduled by these timers wait for the next turn
        Timer timer;
        while ((timer = timers.peek()) != null && timer.dueNanos() - now <= 0 && timer.sequence() < firstNew) {
            timers.poll();
            if (timer.claim()) {
                runReporting(timer.task(), "a timer");
            }
        }
    }

    private void runQueuedTasks() {
        synchronized (queueLock) {
            ArrayDeque<Runnable> swap = draining;
            draining = queued;
            queued = swap;
        }
        Runnable task;
        while ((task = draining.poll()) != null) {
            runReporting(task, "a task");
        }
    }

    /** 0 when there is work already; until the next timer; or -1, for as long as it takes. */
    private long pollTimeoutNanos() {
        if (stopRequested || hasQueuedTasks()) {
            return 0;
        }
        Timer next = timers.peek();
        while (next != null && !next.isPending()) { // cancelled from another thread: drop it now
            timers.poll();
            next = timers.peek();
        }
        return next == null ? -1 : Math.max(0, next.dueNanos() - System.nanoTime());
    }

    private boolean hasQueuedTasks() {
        synchronized (queueLock) {
            return !queued.isEmpty();
        }
    }

    private void callHandlers(int ready) {
        for (int i = 0; i < ready; i++) {
            long data = epoll.data(i);
            int fd = (int) data;
            Watch watch = fd < watches.length ? watches[fd] : null;
            // No watch: cancelled by a handler earlier in this turn. Another generation: cancelled,
            // closed, and the number reused for a new watch, all earlier in this turn.
            if (watch == null || watch.generation() != (int) (data >>> 32) || watch.interest() == 0) {
                continue;
            }
            int events = epoll.events(i) & (watch.interest() | HANGUP | ERROR);
            if (events == 0) {
                continue; // WRITABLE was dropped earlier in this turn
            }
            try {
                watch.handler().ready(watch, events);
            } catch (Exception e) {
                report("the handler watching fd " + fd, e, "its watch is cancelled (fd " + fd + " stays open)");
                cancel(watch);
            }
        }
    }

    /**
     * Watches {@code fd} and calls {@code handler} on the loop thread whenever it is ready.
     *
     * @param events {@link #READABLE}, {@link #WRITABLE}, both, or 0 to start paused; add
     *               {@link #EXCLUSIVE} for a listening socket shared with other processes
     * @throws ErrnoException        when epoll_ctl refuses it: EPERM for a regular file or a directory
     *                               (always ready, so never worth watching), EBADF for a closed one
     * @throws IllegalStateException when {@code fd} is watched by this loop already, or when called
     *                               off the loop thread while another thread runs the loop
     */
    public Watch watch(int fd, int events, IoHandler handler) throws ErrnoException {
        requireLoopThread("watch");
        Objects.requireNonNull(handler, "handler");
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        requireOnly(events, READABLE | WRITABLE | EXCLUSIVE);
        if (fd < watches.length && watches[fd] != null) {
            throw new IllegalStateException("fd " + fd + " is watched by " + name + " already (" + watches[fd]
                    + "): change that watch's interest, or cancel it before watching again");
        }
        Watch watch = new Watch(this, fd, nextGeneration++, events & ~EXCLUSIVE, (events & EXCLUSIVE) != 0, handler);
        if (watch.interest() != 0) {
            epoll.add(fd, kernelEvents(watch, watch.interest()), watch.epollData());
        }
        if (fd >= watches.length) {
            watches = Arrays.copyOf(watches, Math.max(fd + 1, 2 * watches.length));
        }
        watches[fd] = watch;
        return watch;
    }

    void changeInterest(Watch watch, int events) throws ErrnoException {
        requireLoopThread("Watch.interest");
        requireOnly(events, READABLE | WRITABLE);
        if (!watch.isActive()) {
            throw new IllegalStateException(watch + " is cancelled: watch the descriptor again instead");
        }
        int before = watch.interest();
        if (events == before) {
            return;
        }
        int fd = watch.fd();
        if (before == 0) {
            epoll.add(fd, kernelEvents(watch, events), watch.epollData());
        } else if (events == 0) {
            epoll.remove(fd);
        } else if (watch.exclusive()) {
            // The kernel refuses EPOLL_CTL_MOD on an EPOLLEXCLUSIVE registration (EINVAL): remove and
            // add again. Level-triggered, so nothing ready is lost in between.
            epoll.remove(fd);
            epoll.add(fd, kernelEvents(watch, events), watch.epollData());
        } else {
            epoll.modify(fd, kernelEvents(watch, events), watch.epollData());
        }
        watch.setInterest(events);
    }

    void cancel(Watch watch) {
        if (released || !watch.isActive()) {
            watch.deactivate(); // the epoll instance is gone, and every registration with it
            return;
        }
        requireLoopThread("Watch.cancel");
        watch.deactivate();
        if (watch.interest() != 0) {
            // Fails only if the descriptor was closed first, when the kernel has dropped it already
            // (or, sharing its file with another descriptor, can no longer be reached by this number).
            epoll.removeQuietly(watch.fd());
        }
        if (watches[watch.fd()] == watch) {
            watches[watch.fd()] = null;
        }
    }

    private static int kernelEvents(Watch watch, int interest) {
        return watch.exclusive() ? interest | EXCLUSIVE : interest;
    }

    /**
     * Runs {@code task} once on the loop thread after {@code delay} (at once if it is zero or
     * negative, in the next turn). Callable from any thread.
     *
     * <p>How late: with {@code epoll_pwait2} (Linux 5.11 and glibc 2.35) the loop sleeps to the
     * nanosecond, and a timer runs a few tens of microseconds late on an idle machine. Without it,
     * {@code epoll_wait} counts whole milliseconds and the wait is rounded up, as libuv's is: up to
     * one millisecond late. A callback that runs long delays every timer behind it.
     */
    public Timer schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        long delayNanos = delay.isNegative() ? 0 : delay.compareTo(Duration.ofNanos(LONGEST_DELAY_NANOS)) > 0
                ? LONGEST_DELAY_NANOS : delay.toNanos();
        Timer timer = new Timer(this, System.nanoTime() + delayNanos, task);
        if (inLoop()) {
            file(timer);
        } else {
            execute(() -> file(timer));
        }
        return timer;
    }

    private void file(Timer timer) {
        if (timer.isPending()) {
            timer.setSequence(nextTimerSequence++);
            timers.add(timer);
        }
    }

    /** A cancelled timer: off the heap at once on the loop thread; from elsewhere, when it comes first. */
    void forget(Timer timer) {
        if (inLoop()) {
            timers.remove(timer);
        }
    }

    /**
     * Runs {@code task} on the loop thread, soon: in the loop's next turn. Callable from any thread;
     * tasks from one thread run in the order they were given. The first task that arrives while the
     * loop sleeps wakes it with one write to an eventfd; more tasks during the same sleep cost no
     * further system call.
     *
     * @throws RejectedExecutionException when the loop is closed
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (queueLock) {
            if (closed) {
                throw new RejectedExecutionException("event loop " + name + " is closed");
            }
            queued.add(task);
        }
        if (!inLoop()) {
            wakeup.wake();
        }
    }

    /**
     * Runs {@code task} on the loop as {@link #execute} does; but if the loop is closed while the
     * task is still queued, {@code ifDropped} runs instead, once, on the thread that closes it. How a
     * task that owns something (a descriptor it was to send, a future someone waits on) gives it back
     * rather than leak it when its loop goes away first.
     *
     * @throws RejectedExecutionException when the loop is closed already: neither runs, and what the
     *                                    task held is still the caller's
     */
    public void execute(Runnable task, Runnable ifDropped) {
        execute(new Droppable(Objects.requireNonNull(task, "task"), Objects.requireNonNull(ifDropped, "ifDropped")));
    }

    /** A queued task that says what to do if it never runs ({@link #execute(Runnable, Runnable)}). */
    private record Droppable(Runnable task, Runnable ifDropped) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /**
     * Runs {@code task} on the loop thread in its next turn, as {@link #execute}, and completes the
     * future with its result or with what it threw: how another thread asks the loop a question, or
     * changes loop state and learns that it is done. Waiting on the future from the loop's own thread
     * would wait for ever (the task runs only once the caller returns to the loop).
     *
     * @throws RejectedExecutionException when the loop is closed
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** True on the thread that runs this loop: where watches may be changed and loop state touched without locks. */
    public boolean inLoop() {
        return thread == Thread.currentThread();
    }

    /**
     * The loop's time, on the {@link System#nanoTime()} clock: read once at the start of each turn,
     * so every callback of a turn sees the same value (libuv's {@code uv_now}).
     */
    public long nowNanos() {
        return now;
    }

    /** How many turns the loop has made: a loop that spins (WRITABLE left on, say) counts fast. */
    public long iterations() {
        return iterations;
    }

    /** The name given at {@link #start}, which is its thread's name. */
    public String name() {
        return name;
    }

    /**
     * Makes {@link #run()} return after the current turn (libuv's {@code uv_stop}); the thread of
     * {@link #start} then ends. Watches, timers and queued tasks stay, for a later {@code run()}.
     * Callable from any thread.
     */
    public void stop() {
        stopRequested = true;
        if (!inLoop()) {
            wakeup.wake();
        }
    }

    /**
     * Stops the loop and frees its epoll instance and eventfd. Watched descriptors stay open, queued
     * tasks and pending timers are dropped (a task queued with {@link #execute(Runnable, Runnable)}
     * gets its {@code ifDropped} run). Callable from any thread, any number of times.
     *
     * <p>From another thread, it returns once the loop has finished its turn. From a callback, on the
     * loop thread, it returns at once and the loop ends after the callback: it never waits for its
     * own thread, so a callback may close the loop and then call {@code System.exit}.
     */
    @Override
    public void close() {
        List<Droppable> dropped = new ArrayList<>();
        try {
            closeAndWait(dropped);
        } finally {
            // Outside every lock: a hand-back may complete a future whose callbacks run right here.
            dropped.forEach(d -> runReporting(d.ifDropped(), "a dropped task's ifDropped"));
        }
    }

    private void closeAndWait(List<Droppable> dropped) {
        boolean interrupted = false;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (queueLock) {
                queued.stream().filter(Droppable.class::isInstance).map(Droppable.class::cast).forEach(dropped::add);
                queued.clear(); // and execute() refuses new ones from now on
            }
            stopRequested = true;
            if (thread == null) {
                release();
                return;
            }
            if (inLoop()) {
                return; // run() releases everything as it returns
            }
            wakeup.wake();
            while (thread != null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the descriptors must not be freed under the loop
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private void release() {
        released = true;
        Arrays.fill(watches, null);
        timers.clear();
        closeQuietly(wakeup);
        closeQuietly(epoll);
    }

    private void requireLoopThread(String what) {
        Thread runner = thread;
        if (runner != null && runner != Thread.currentThread()) {
            throw new IllegalStateException(what + " must be called on " + name + "'s thread (in a callback, or through execute), not on "
                    + Thread.currentThread().getName());
        }
        if (released) {
            throw new IllegalStateException("event loop " + name + " is closed");
        }
    }

    private static void requireOnly(int events, int allowed) {
        if ((events & ~allowed) != 0) {
            throw new IllegalArgumentException("events " + describe(events) + ": only " + describe(allowed) + " may be asked for here");
        }
    }

    private void runReporting(Runnable task, String what) {
        try {
            task.run();
        } catch (RuntimeException e) {
            report(what, e, "the loop goes on");
        }
    }

    /**
     * Reports a failure the way the loop reports a callback that threw: on standard error, and in
     * {@link CallbackFailures} for a test that waits in vain. For given code that catches what a
     * callback of its own user threw, so as to go on serving the others.
     *
     * @param who         the callback, as a reader of the report knows it
     * @param consequence what happens now
     */
    public void report(String who, Exception e, String consequence) {
        System.err.println("event loop " + name + ": " + who + " threw " + e + "; " + consequence);
        e.printStackTrace();
        CallbackFailures.record(name, who, e);
    }

    private void closeQuietly(AutoCloseable resource) {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                report("closing " + resource.getClass().getSimpleName(), e, "closed what could be");
            }
        }
    }

    /** {@code "READABLE|WRITABLE"}, for messages. */
    static String describe(int events) {
        StringBuilder text = new StringBuilder();
        appendIf(text, events, READABLE, "READABLE");
        appendIf(text, events, WRITABLE, "WRITABLE");
        appendIf(text, events, EXCLUSIVE, "EXCLUSIVE");
        appendIf(text, events, HANGUP, "HANGUP");
        appendIf(text, events, ERROR, "ERROR");
        int others = events & ~(READABLE | WRITABLE | EXCLUSIVE | HANGUP | ERROR);
        appendIf(text, others, others, "0x" + Integer.toHexString(others));
        return text.isEmpty() ? "0" : text.toString();
    }

    private static void appendIf(StringBuilder text, int events, int bit, String name) {
        if (bit != 0 && (events & bit) != 0) {
            text.append(text.isEmpty() ? "" : "|").append(name);
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + name + (closed ? ", closed" : "") + "]";
    }
}
