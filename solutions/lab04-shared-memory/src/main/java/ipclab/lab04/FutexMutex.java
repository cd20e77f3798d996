package ipclab.lab04;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A mutex between processes: one 32-bit word in shared memory, and futex(2) to sleep on it.
 *
 * <pre>
 *   word == 0                   free
 *   word == pid                 held by process pid, nobody waiting
 *   word == pid | WAITERS       held by process pid, and someone may sleep in FUTEX_WAIT on the word
 * </pre>
 *
 * Taking a free mutex is one compare-and-set, with no system call; so is releasing a mutex nobody
 * waits for. Only a process that finds the mutex held goes into the kernel, and only an unlock that
 * sees the WAITERS bit makes the FUTEX_WAKE call. The word names the owner's <em>pid</em>, so a waiter
 * can tell when the owner has died (see {@link OwnerDiedException}). The mutex belongs to a process:
 * threads of one process may share it (each {@code lock} still excludes the others), but it is not
 * reentrant, and any thread of the owning process may unlock it.
 */
public final class FutexMutex {

    /** The bit that says "someone may be asleep on this word: wake them when you unlock". */
    public static final int WAITERS = 0x8000_0000;
    /** How often a waiter wakes up by itself to check whether the owner still exists. */
    static final Duration OWNER_CHECK_INTERVAL = Duration.ofMillis(100);

    /** Volatile and compare-and-set access to an int in a segment: coordinates (segment, offset). */
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment word;
    private final int self = Libc.getpid();

    /**
     * A mutex on the first 4 bytes of {@code word} (shared memory, 4-byte aligned). Zeroed memory is a
     * free mutex, so a freshly created region needs no initialisation.
     */
    public FutexMutex(MemorySegment word) {
        if (!word.isNative() || word.byteSize() < 4 || word.address() % 4 != 0) {
            throw new IllegalArgumentException("a mutex word is 4 bytes of shared memory at an address divisible by 4");
        }
        this.word = word.asSlice(0, 4);
    }

    /** The pid of the process holding the mutex, or 0 when it is free. */
    public int owner() {
        return (int) INT.getVolatile(word, 0L) & ~WAITERS;
    }

    /** The raw word, for diagnostics: the owner's pid, with {@link #WAITERS} set if someone may be asleep. */
    public int word() {
        return (int) INT.getVolatile(word, 0L);
    }

    /** Takes the mutex if it is free, without waiting. */
    public boolean tryLock() {
        return INT.compareAndSet(word, 0L, 0, self);
    }

    /**
     * Takes the mutex, sleeping in FUTEX_WAIT while another holds it.
     *
     * @throws TimeoutException    when it is still held by a live process after {@code timeout}
     * @throws OwnerDiedException  when the process holding it no longer exists
     */
    public void lock(Duration timeout) throws TimeoutException, OwnerDiedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int mine = self;
        while (true) {
            int seen = (int) INT.compareAndExchange(word, 0L, 0, mine);
            if (seen == 0) {
                return;
            }
            int owner = seen & ~WAITERS;
            if (!processExists(owner)) {
                throw new OwnerDiedException(owner);
            }
            // Announce a sleeper before sleeping, so that the owner's unlock calls FUTEX_WAKE.
            if ((seen & WAITERS) == 0 && !INT.compareAndSet(word, 0L, seen, seen | WAITERS)) {
                continue; // the word changed under us (unlocked, or another waiter set the bit): look again
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("the mutex is still held by process " + owner + " after " + timeout);
            }
            // Sleeps only if the word is still exactly what we saw; an unlock in between makes it return at once.
            Futex.wait(word, seen | WAITERS, Duration.ofNanos(Math.min(left, OWNER_CHECK_INTERVAL.toNanos())));
            // Others may be asleep too, and we cannot know: whoever takes the mutex after a sleep keeps
            // the WAITERS bit, so that its unlock wakes the next one (a wasted wake at worst).
            mine = self | WAITERS;
        }
    }

    /**
     * Releases the mutex and, if someone may be sleeping on it, wakes one of them.
     *
     * @throws IllegalMonitorStateException when this process does not hold it
     */
    public void unlock() {
        int seen = (int) INT.getVolatile(word, 0L);
        if ((seen & ~WAITERS) != self) {
            throw new IllegalMonitorStateException("process " + self + " unlocks a mutex "
                    + (seen == 0 ? "that is not locked" : "held by process " + (seen & ~WAITERS)));
        }
        // getAndSet is a volatile write: every store made while holding the lock is visible to the next owner.
        int before = (int) INT.getAndSet(word, 0L, 0);
        if ((before & WAITERS) != 0) {
            Futex.wake(word, 1);
        }
    }

    /**
     * Frees a mutex whose owner died. Only the dead owner's lock is broken: if the word names
     * anyone else by now (someone broke it first and took it), nothing changes.
     *
     * @return {@code true} when the mutex was held by {@code deadOwner} and is free now
     * @throws IllegalArgumentException when {@code deadOwner} still exists
     */
    public boolean breakLock(int deadOwner) {
        if (processExists(deadOwner)) {
            throw new IllegalArgumentException("process " + deadOwner + " still exists; only a dead owner's lock may be broken");
        }
        int seen = (int) INT.getVolatile(word, 0L);
        if ((seen & ~WAITERS) != deadOwner || !INT.compareAndSet(word, 0L, seen, 0)) {
            return false;
        }
        // Its waiters sleep in turns of OWNER_CHECK_INTERVAL anyway; waking them all spares them the wait.
        Futex.wake(word, Integer.MAX_VALUE);
        return true;
    }

    /**
     * Whether process {@code pid} still runs: kill(pid, 0) fails with ESRCH once it has gone. A
     * process that has died but not yet been reaped by its parent (a zombie) still answers kill(2),
     * but it will never unlock anything, so it counts as dead here.
     */
    static boolean processExists(int pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            Libc.kill(pid, 0);
        } catch (ErrnoException e) {
            return !e.is(Errno.ESRCH); // EPERM: it exists, it just belongs to another user
        }
        try {
            // /proc/PID/stat: "pid (comm) state ..."; comm may contain spaces, so look after the last ')'.
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // gone between the two looks
        }
    }

    @Override
    public String toString() {
        int w = word();
        return w == 0 ? "mutex (free)" : "mutex (held by " + (w & ~WAITERS) + ((w & WAITERS) != 0 ? ", waiters)" : ")");
    }
}
