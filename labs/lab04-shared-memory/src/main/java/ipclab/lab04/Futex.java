package ipclab.lab04;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The two futex(2) operations this lab needs, through the Foreign Function &amp; Memory API. Given
 * code: a lab-local binding in the style of {@link ipclab.support.Libc}.
 *
 * <p>A futex ("fast userspace mutex") is not an object the kernel keeps: it is any aligned 32-bit
 * word of memory. {@code FUTEX_WAIT} puts the caller to sleep <em>if the word still holds the value
 * the caller expects</em> (the kernel checks and sleeps in one atomic step, so a wake-up between
 * "I looked" and "I sleep" cannot be lost); {@code FUTEX_WAKE} wakes up to N sleepers on that word.
 * Everything else (what the word means, when to sleep) is up to user space, which is why the fast
 * path of a lock needs no system call at all.
 *
 * <p>These are the <em>shared</em> operations (no {@code FUTEX_PRIVATE_FLAG}): the kernel finds
 * sleepers by the word's place in the file (inode and offset), not by its virtual address, so two
 * processes that map the same file at different addresses still meet on the same futex.
 */
public final class Futex {

    /** What ended a {@link #wait}. */
    public enum Wake {
        /** Another thread called FUTEX_WAKE on the word (or a spurious wake-up: check your condition again). */
        WOKEN,
        /** The word no longer held the expected value, so the caller never slept (EAGAIN). */
        VALUE_CHANGED,
        /** The timeout passed (ETIMEDOUT). */
        TIMED_OUT,
        /** A signal handler ran (EINTR). */
        INTERRUPTED
    }

    private static final long SYS_FUTEX = "aarch64".equals(System.getProperty("os.arch")) ? 98 : 202;
    private static final long FUTEX_WAIT = 0;
    private static final long FUTEX_WAKE = 1;

    /**
     * long syscall(long number, ...): glibc has no futex() function, so the system call is made by
     * number; its six arguments are each passed as a long.
     */
    private static final MethodHandle SYSCALL = LIBC.variadic("syscall", 1,
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));

    private Futex() {
    }

    /** The system call number of futex(2) on this machine (202 on x86-64, 98 on arm64). */
    public static long syscallNumber() {
        return SYS_FUTEX;
    }

    /**
     * FUTEX_WAIT: sleeps while the 32-bit word at the start of {@code word} holds {@code expected},
     * until a {@link #wake}, a signal, or the timeout.
     *
     * @param word     a segment whose first 4 bytes are the futex word, 4-byte aligned
     * @param expected the value the caller saw; if the word holds anything else, returns at once
     * @param timeout  the longest time to sleep (relative)
     */
    public static Wake wait(MemorySegment word, int expected, Duration timeout) {
        checkWord(word);
        long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        try (Arena arena = Arena.ofConfined()) {
            // struct timespec { time_t tv_sec; long tv_nsec; }
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
            // Not retried on EINTR: the caller decides whether to sleep again (its deadline may have passed).
            Downcall.Outcome slept = Downcall.attempt("futex", state -> (long) SYSCALL.invokeExact(state, SYS_FUTEX,
                    word.address(), FUTEX_WAIT, (long) expected, timespec.address(), 0L, 0L));
            if (!slept.failed()) {
                return Wake.WOKEN;
            }
            return switch (slept.errno()) {
                case EAGAIN -> Wake.VALUE_CHANGED;
                case ETIMEDOUT -> Wake.TIMED_OUT;
                case EINTR -> Wake.INTERRUPTED;
                case null, default -> throw failure(slept, "FUTEX_WAIT", word);
            };
        }
    }

    /**
     * FUTEX_WAKE: wakes up to {@code count} threads (in any process) sleeping on the word.
     *
     * @return how many were woken
     */
    public static int wake(MemorySegment word, int count) {
        checkWord(word);
        Downcall.Outcome woke = Downcall.attempt("futex", state -> (long) SYSCALL.invokeExact(state, SYS_FUTEX,
                word.address(), FUTEX_WAKE, (long) count, 0L, 0L, 0L));
        if (woke.failed()) {
            throw failure(woke, "FUTEX_WAKE", word);
        }
        return (int) woke.result();
    }

    private static void checkWord(MemorySegment word) {
        if (!word.isNative() || word.byteSize() < 4 || word.address() % 4 != 0) {
            throw new IllegalArgumentException("a futex word is 4 bytes of native memory at an address divisible by 4; got "
                    + word + (word.isNative() ? " at 0x" + Long.toHexString(word.address()) : ""));
        }
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Errors a correct caller never sees (EFAULT: not mapped; EINVAL: misaligned), as an unchecked exception. */
    private static IllegalStateException failure(Downcall.Outcome outcome, String op, MemorySegment word) {
        ErrnoException e = outcome.exception(op + " on 0x" + Long.toHexString(word.address()));
        return new IllegalStateException(e.getMessage(), e);
    }
}
