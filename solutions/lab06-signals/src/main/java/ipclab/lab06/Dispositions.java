package ipclab.lab06;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Undoes an inherited "ignore this signal" (an FFM binding for {@code sigaction(2)}, given code).
 *
 * <p>An ignored signal stays ignored across fork and exec: {@code nohup} starts its command with
 * SIGHUP ignored, and a shell without job control starts a background job ({@code cmd &}) with SIGINT
 * and SIGQUIT ignored. HotSpot respects that wish: {@code Signal.handle} on a signal that was ignored
 * when the JVM started quietly installs nothing and returns {@code SIG_IGN}. A server that wants
 * its SIGHUP or SIGINT therefore first sets the disposition back to default, as this class does.
 */
public final class Dispositions {

    /** int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact): either may be NULL. */
    private static final MethodHandle SIGACTION = LIBC.function("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** glibc's struct sigaction is 152 bytes on x86-64 and arm64; sa_handler comes first in both. */
    private static final long SIGACTION_BYTES = 256;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private Dispositions() {
    }

    /** Whether {@code signal}'s disposition is "ignore" in this process now. */
    public static boolean ignored(SignalName signal) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_BYTES, 8);
            sigaction(signal, MemorySegment.NULL, old);
            return old.get(JAVA_LONG, 0) == SIG_IGN;
        }
    }

    /**
     * Sets each of {@code signals} that is ignored back to its default action, so the JVM will
     * install a handler for it; signals with a handler or the default action are left alone.
     *
     * @return the signals that were ignored
     */
    public static List<SignalName> stopIgnoring(SignalName... signals) throws ErrnoException {
        List<SignalName> were = new ArrayList<>();
        for (SignalName signal : signals) {
            if (ignored(signal)) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment act = arena.allocate(SIGACTION_BYTES, 8); // zeroed: no flags, empty sa_mask
                    act.set(JAVA_LONG, 0, SIG_DFL);
                    sigaction(signal, act, MemorySegment.NULL);
                }
                were.add(signal);
            }
        }
        return were;
    }

    private static void sigaction(SignalName signal, MemorySegment act, MemorySegment old) throws ErrnoException {
        Downcall.retryingEintr("sigaction", signal.symbol(), state -> (int) SIGACTION.invokeExact(state, signal.number(), act, old));
    }
}
