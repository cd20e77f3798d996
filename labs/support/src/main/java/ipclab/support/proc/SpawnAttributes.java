package ipclab.support.proc;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A {@code posix_spawnattr_t}: what the child changes about itself before exec, chosen by the
 * {@code Spawn.SET*} flags. Opaque like {@link FileActions}: a generous block, initialised and
 * destroyed by libc.
 *
 * <p>The signal sets are always filled in, and take effect when the flags ask for them:
 * SETSIGMASK gives the child an empty mask, SETSIGDEF gives it the default action for every
 * signal. A JVM blocks some signals in some threads and may ignore others (a JVM started under
 * {@code nohup} ignores SIGHUP); exec keeps both the mask and ignored signals, so without these
 * flags a child could be deaf to a SIGTERM or a hangup, and so could everything it starts.
 */
final class SpawnAttributes implements AutoCloseable {

    /** sizeof(posix_spawnattr_t) is 336 bytes in glibc on 64-bit Linux; room for a larger one. */
    private static final long SIZE = 1024;
    /** sizeof(sigset_t) in glibc: 1024 bits. */
    private static final long SIGSET_SIZE = 128;
    /** The classic signals; 32 and 33 are glibc's own (thread cancellation), and 34 up are real-time ones. */
    private static final int LAST_CLASSIC_SIGNAL = 31;

    private static final MethodHandle INIT = handle("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = handle("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SET_FLAGS = handle("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle SET_SIGMASK = handle("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SET_SIGDEFAULT = handle("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SET_PGROUP = handle("posix_spawnattr_setpgroup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SIGEMPTYSET = LIBC.function("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGADDSET = LIBC.function("sigaddset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private final MemorySegment attributes;

    private SpawnAttributes(MemorySegment attributes) {
        this.attributes = attributes;
    }

    /** The attributes for {@code flags} (a combination of {@code Spawn.SET*}), in memory of {@code arena}. */
    static SpawnAttributes create(Arena arena, int flags) throws ErrnoException {
        MemorySegment attributes = arena.allocate(SIZE, 16);
        Downcall.returningError("posix_spawnattr_init", "attributes", () -> (int) INIT.invokeExact(attributes));
        SpawnAttributes created = new SpawnAttributes(attributes);
        try {
            created.set(arena, flags);
            return created;
        } catch (ErrnoException | RuntimeException e) {
            created.close();
            throw e;
        }
    }

    private void set(Arena arena, int flags) throws ErrnoException {
        short shortFlags = (short) flags;
        Downcall.returningError("posix_spawnattr_setflags", "flags 0x" + Integer.toHexString(flags),
                () -> (int) SET_FLAGS.invokeExact(attributes, shortFlags));
        MemorySegment none = emptySignalSet(arena);
        Downcall.returningError("posix_spawnattr_setsigmask", "empty set", () -> (int) SET_SIGMASK.invokeExact(attributes, none));
        MemorySegment classic = emptySignalSet(arena);
        for (int signal = 1; signal <= LAST_CLASSIC_SIGNAL; signal++) {
            // Their action cannot be changed: sigaction(2) refuses them.
            if (signal != Libc.SIGKILL && signal != Libc.SIGSTOP) {
                int s = signal;
                Downcall.retryingEintr("sigaddset", "signal " + s, state -> (int) SIGADDSET.invokeExact(state, classic, s));
            }
        }
        Downcall.returningError("posix_spawnattr_setsigdefault", "signals 1-31", () -> (int) SET_SIGDEFAULT.invokeExact(attributes, classic));
        // 0: the child's own pid becomes the number of its new group, which it leads.
        Downcall.returningError("posix_spawnattr_setpgroup", "group 0", () -> (int) SET_PGROUP.invokeExact(attributes, 0));
    }

    private static MemorySegment emptySignalSet(Arena arena) throws ErrnoException {
        MemorySegment set = arena.allocate(SIGSET_SIZE, 8);
        Downcall.retryingEintr("sigemptyset", "a sigset_t", state -> (int) SIGEMPTYSET.invokeExact(state, set));
        return set;
    }

    MemorySegment segment() {
        return attributes;
    }

    /** posix_spawnattr_destroy. */
    @Override
    public void close() {
        Downcall.cannotFail("posix_spawnattr_destroy", () -> (int) DESTROY.invokeExact(attributes));
    }

    /** These functions return their error number rather than set errno: no errno to capture. */
    private static MethodHandle handle(String name, FunctionDescriptor signature) {
        return LIBC.functionWithoutErrno(name, signature);
    }
}
