package ipclab.lab04;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A counting semaphore between processes: a 32-bit count of permits in shared memory. Acquiring
 * takes one permit (compare-and-set from n to n-1), sleeping in FUTEX_WAIT while the count is 0;
 * releasing adds one and wakes a sleeper.
 */
public final class FutexSemaphore {

    private static final VarHandle INT = FutexMutex.INT;

    private final MemorySegment word;

    /** A semaphore on the first 4 bytes of {@code word} (shared memory, 4-byte aligned). */
    public FutexSemaphore(MemorySegment word) {
        if (!word.isNative() || word.byteSize() < 4 || word.address() % 4 != 0) {
            throw new IllegalArgumentException("a semaphore word is 4 bytes of shared memory at an address divisible by 4");
        }
        this.word = word.asSlice(0, 4);
    }

    /** Sets the number of permits; the creator does this once, before any other process uses it. */
    public void initialise(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore cannot start with " + permits + " permits");
        }
        INT.setVolatile(word, 0L, permits);
    }

    /** The permits available now (already stale when you look at it, unless nobody else uses the semaphore). */
    public int available() {
        return (int) INT.getVolatile(word, 0L);
    }

    /** Takes a permit if one is available, without waiting. */
    public boolean tryAcquire() {
        throw new UnsupportedOperationException("TODO: while the count is above 0, compare-and-set it from n to n - 1");
    }

    /**
     * Takes a permit, sleeping while there is none.
     *
     * @return {@code false} when no permit came within {@code timeout}
     */
    public boolean acquire(Duration timeout) {
        throw new UnsupportedOperationException("TODO: tryAcquire; while it fails and time is left, futex(FUTEX_WAIT) on the word expecting 0");
    }

    /** Returns a permit and wakes one sleeper, if any. */
    public void release() {
        throw new UnsupportedOperationException("TODO: add 1 to the count atomically (getAndAdd), then futex(FUTEX_WAKE) one sleeper");
    }

    @Override
    public String toString() {
        return "semaphore (" + available() + " permits)";
    }
}
