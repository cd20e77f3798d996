package ipclab.support.loop;

import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task that runs once on the loop thread after a delay: libuv's {@code uv_timer_t} (Node's
 * {@code setTimeout}). Made by {@link EventLoop#schedule}.
 *
 * <p>The loop keeps its timers in a heap ordered by due time, and sleeps in {@code epoll_wait} no
 * longer than until the first one is due. Timers due at the same time run in the order they were
 * scheduled.
 */
public final class Timer {

    /** Due time first; among equals, the one scheduled first. */
    static final Comparator<Timer> ORDER = Comparator.comparingLong(Timer::dueNanos).thenComparingLong(timer -> timer.sequence);

    private final EventLoop loop;
    private final long dueNanos;
    private final Runnable task;
    /** Set once, by whichever comes first: the loop running the task, or cancel(). */
    private final AtomicBoolean settled = new AtomicBoolean();
    private long sequence;

    Timer(EventLoop loop, long dueNanos, Runnable task) {
        this.loop = loop;
        this.dueNanos = dueNanos;
        this.task = task;
    }

    /**
     * Makes sure the task will not run, from any thread (libuv's {@code uv_timer_stop}).
     *
     * @return true when this call stopped it; false when it has run, is running, or was cancelled already
     */
    public boolean cancel() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        loop.forget(this);
        return true;
    }

    /** True until the task runs or the timer is cancelled. */
    public boolean isPending() {
        return !settled.get();
    }

    /** When the task is due, on the {@link System#nanoTime()} clock (as {@link EventLoop#nowNanos()}). */
    public long dueNanos() {
        return dueNanos;
    }

    /** The loop, as it files the timer in its heap: the order among timers due at the same time. */
    void setSequence(long sequence) {
        this.sequence = sequence;
    }

    long sequence() {
        return sequence;
    }

    /** The loop, when the timer is due: true when the task is now the loop's to run (not cancelled). */
    boolean claim() {
        return settled.compareAndSet(false, true);
    }

    Runnable task() {
        return task;
    }
}
