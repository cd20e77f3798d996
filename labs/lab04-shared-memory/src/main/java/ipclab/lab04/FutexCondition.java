package ipclab.lab04;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A condition variable between processes, used together with a {@link FutexMutex}: "wait, without
 * spinning, until another process says the shared state has changed".
 *
 * <p>The word is a sequence number that every signal increments. A waiter reads it while still
 * holding the mutex, unlocks, and sleeps in FUTEX_WAIT <em>only if the number is unchanged</em>. A
 * signal sent after the unlock and before the sleep has already changed the number, so the kernel
 * refuses to sleep: the wake-up cannot be lost. Wake-ups may be spurious, so waiters always check
 * their condition in a loop:
 *
 * <pre>{@code
 * mutex.lock(timeout);
 * try {
 *     while (!ready()) {
 *         if (!condition.await(mutex, timeout)) { ... it never came ... }
 *     }
 * } finally {
 *     mutex.unlock();
 * }
 * }</pre>
 */
public final class FutexCondition {

    private static final VarHandle INT = FutexMutex.INT;

    private final MemorySegment word;

    /** A condition on the first 4 bytes of {@code word} (shared memory, 4-byte aligned); zero is a fine start. */
    public FutexCondition(MemorySegment word) {
        if (!word.isNative() || word.byteSize() < 4 || word.address() % 4 != 0) {
            throw new IllegalArgumentException("a condition word is 4 bytes of shared memory at an address divisible by 4");
        }
        this.word = word.asSlice(0, 4);
    }

    /** The number of signals sent so far (wrapping around), for diagnostics. */
    public int sequence() {
        return (int) INT.getVolatile(word, 0L);
    }

    /**
     * Releases {@code mutex} (which this process must hold), sleeps until a signal or the timeout,
     * and takes the mutex again before returning, also when it returns {@code false}.
     *
     * @return {@code false} when {@code timeout} passed without a signal; {@code true} otherwise
     *         (which may be a spurious wake-up: check your condition again)
     * @throws IllegalMonitorStateException when this process does not hold the mutex
     * @throws TimeoutException   when the mutex could not be taken again within {@code timeout}; it is not held then
     * @throws OwnerDiedException when the mutex could not be taken again because its owner died
     */
    public boolean await(FutexMutex mutex, Duration timeout) throws TimeoutException, OwnerDiedException {
        throw new UnsupportedOperationException("TODO: read the sequence word, unlock the mutex, futex(FUTEX_WAIT) on the word expecting that sequence, lock the mutex again; false on timeout");
    }

    /** Wakes one waiter (in any process). Call it after changing the shared state, holding the mutex or not. */
    public void signal() {
        throw new UnsupportedOperationException("TODO: increment the sequence word, then futex(FUTEX_WAKE) one waiter");
    }

    /** Wakes every waiter (in any process). */
    public void signalAll() {
        throw new UnsupportedOperationException("TODO: increment the sequence word, then futex(FUTEX_WAKE) every waiter");
    }

    @Override
    public String toString() {
        return "condition (sequence " + sequence() + ")";
    }
}
