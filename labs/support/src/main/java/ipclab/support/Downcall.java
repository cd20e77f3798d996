package ipclab.support;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Calls a C function through a handle of {@link CLibrary} and tells how it went, the way C code
 * does: look at the return value, and only when it says "failed" (a negative number, -1 for every
 * system call) at errno. Each call is written as a lambda around one {@code invokeExact}:
 * <pre>{@code
 * int copy = (int) Downcall.retryingEintr("dup", "fd " + fd, state -> (int) DUP.invokeExact(state, fd));
 * }</pre>
 * The lambda passes {@code state} on as the handle's first argument: that is where the JVM puts
 * errno right after the call. It is the calling thread's own buffer, read as soon as the lambda
 * returns, so the lambda makes no other native call after its {@code invokeExact}.
 *
 * <p>Five ways to call, by what a failure means:
 * <ul>
 *   <li>{@link #retryingEintr}: most calls. A call interrupted by a signal handler (EINTR) is made
 *       again, as the JDK does for its own I/O; any other failure is an {@link ErrnoException} that
 *       names the call, what it was called on, the errno and what it means.</li>
 *   <li>{@link #closing}: close(2) and calls that are close underneath, which must not be made again.</li>
 *   <li>{@link #attempt}: calls whose errno the caller interprets itself, because some values are
 *       answers rather than failures (futex's EAGAIN: "the word had changed").</li>
 *   <li>{@link #cannotFail}: functions without errno, such as getpid(2).</li>
 *   <li>{@link #returningError}: functions that return the error number itself instead of setting
 *       errno, such as posix_spawn(3) and its helpers.</li>
 * </ul>
 *
 * <p>{@code invokeExact} is declared to throw any {@link Throwable}. Unchecked exceptions and errors
 * come out unchanged: a mistake in the Java code ({@code WrongMethodTypeException} for an argument
 * of the wrong type, {@code IllegalStateException} for memory of a closed arena) must not be
 * disguised. A checked one, which a downcall never throws in practice, becomes an
 * {@link IllegalStateException} that names the call.
 */
public final class Downcall {

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    /**
     * Where the JVM puts errno, one buffer per thread, made once and used for every call the thread
     * makes. A thread makes one call at a time and reads errno before its next one, so nothing is
     * overwritten too early; and an event loop's calls (thousands a second) allocate no native memory.
     * Each buffer is freed by the garbage collector once its thread is gone.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE_OF_THREAD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    /** One call of an errno-capturing handle: pass {@code callState} first, return what the C function returned. */
    @FunctionalInterface
    public interface Invocation {
        long invoke(MemorySegment callState) throws Throwable;
    }

    /** One call of a handle without errno ({@link CLibrary#functionWithoutErrno}). */
    @FunctionalInterface
    public interface PlainInvocation<T> {
        T invoke() throws Throwable;
    }

    /**
     * What one call returned, and the errno it left when it failed.
     *
     * @param call   the C function's name, for messages
     * @param result its return value
     * @param code   the errno number when {@link #failed()}, else 0
     */
    public record Outcome(String call, long result, int code) {

        /** True when the call reported a failure: a negative result. */
        public boolean failed() {
            return result < 0;
        }

        /** The errno of a failed call (null when it succeeded, or for a number Linux does not use). */
        public Errno errno() {
            return failed() ? Errno.of(code) : null;
        }

        /** True when the call failed with this errno. */
        public boolean is(Errno errno) {
            return failed() && code == errno.code();
        }

        /** The failure as an exception, saying what the call was made {@code on} (a descriptor, a path...). */
        public ErrnoException exception(String on) {
            if (!failed()) {
                throw new IllegalStateException(call + "(" + on + ") did not fail: it returned " + result);
            }
            return new ErrnoException(call, on, code);
        }
    }

    private Downcall() {
    }

    /**
     * Makes the call, again as long as it fails with EINTR, and returns its result.
     *
     * @param call the C function's name, for the exception
     * @param on   what it is called on, for the exception: {@code "fd 7"}, a path, a queue's name
     * @throws ErrnoException when it fails with any other errno
     */
    public static long retryingEintr(String call, String on, Invocation invocation) throws ErrnoException {
        while (true) {
            Outcome outcome = attempt(call, invocation);
            if (!outcome.failed()) {
                return outcome.result();
            }
            if (!outcome.is(Errno.EINTR)) {
                throw outcome.exception(on);
            }
        }
    }

    /**
     * Makes a call that closes a descriptor, once. EINTR is not a failure here and the call is not
     * made again: on Linux the descriptor is released even then, and a retry could close a
     * descriptor another thread has just been given the same number for.
     *
     * @throws ErrnoException when it fails with any other errno (EBADF: it was not open)
     */
    public static void closing(String call, String on, Invocation invocation) throws ErrnoException {
        Outcome outcome = attempt(call, invocation);
        if (outcome.failed() && !outcome.is(Errno.EINTR)) {
            throw outcome.exception(on);
        }
    }

    /** Makes the call once and returns its result and errno, for the caller to interpret. */
    public static Outcome attempt(String call, Invocation invocation) {
        MemorySegment callState = CALL_STATE_OF_THREAD.get();
        try {
            long result = invocation.invoke(callState);
            return new Outcome(call, result, result < 0 ? (int) ERRNO.get(callState, 0L) : 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw couldNotCall(call, t);
        }
    }

    /** Calls a function that has no way to fail (no errno), and returns what it returned. */
    public static <T> T cannotFail(String call, PlainInvocation<T> invocation) {
        try {
            return invocation.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw couldNotCall(call, t);
        }
    }

    /**
     * Calls a function that reports failure by returning the error number itself, 0 for success,
     * and leaves errno alone: posix_spawn(3) and its helpers, the pthread functions. Its handle
     * captures no errno ({@link CLibrary#functionWithoutErrno}).
     *
     * @throws ErrnoException when it returns an error number
     */
    public static void returningError(String call, String on, PlainInvocation<Integer> invocation) throws ErrnoException {
        int error = cannotFail(call, invocation);
        if (error != 0) {
            throw new ErrnoException(call, on, error);
        }
    }

    private static IllegalStateException couldNotCall(String call, Throwable cause) {
        return new IllegalStateException(call + " could not be called", cause);
    }
}
