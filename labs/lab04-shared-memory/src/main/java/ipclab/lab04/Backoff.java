package ipclab.lab04;

import java.util.concurrent.locks.LockSupport;

/**
 * What a thread does while it waits for another process to move a counter in shared memory: spin
 * a little, then give up its core, then sleep in growing steps.
 *
 * <p>Spinning ({@link Thread#onSpinWait()}, the CPU's {@code pause} instruction) reacts within
 * nanoseconds but burns a core. On a machine with two cores and two processes that both spin, the
 * one that could make progress may not get a core at all, so after a while the waiter yields
 * ({@code sched_yield(2)}) and then parks ({@code nanosleep}) for up to {@link #MAX_PARK_NANOS}.
 * {@link #reset()} after every success starts the next wait with spinning again.
 */
public final class Backoff {

    static final int SPINS = 200;
    static final int YIELDS = 20;
    static final long MAX_PARK_NANOS = 200_000;

    private int idles;

    /** One step of waiting; call it each time the condition you wait for is still false. */
    public void idle() {
        if (idles < SPINS) {
            Thread.onSpinWait();
        } else if (idles < SPINS + YIELDS) {
            Thread.yield();
        } else {
            int parks = idles - SPINS - YIELDS;
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, 1_000L << Math.min(parks, 20)));
        }
        idles++;
    }

    /** True once spinning is over: a good moment to look at a clock or a deadline. */
    public boolean pastSpinning() {
        return idles >= SPINS;
    }

    /** Starts over with spinning, after the awaited thing happened. */
    public void reset() {
        idles = 0;
    }
}
