package ipclab.testkit;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A pseudo-terminal, the kind a terminal emulator or sshd gives a login shell: the primary side,
 * held by this process, and the secondary's path ({@code /dev/pts/N}) for a child to open.
 *
 * <p>A test uses it to give a process a controlling terminal and take it away again: a session
 * leader without one that opens the secondary (without {@code O_NOCTTY}) acquires it as its
 * controlling terminal, and when the primary is closed the kernel hangs the terminal up and sends
 * SIGHUP to that leader (credentials(7), setsid(2)). A daemon calls setsid(2) to be out of reach of
 * that hang-up.
 */
public final class Pty implements AutoCloseable {

    /** open(2)'s flag: opening the primary must not make it this JVM's controlling terminal. */
    private static final int O_NOCTTY = 0400;
    /** A /dev/pts path is short; PATH_MAX bounds it for certain. */
    private static final int PATH_MAX = 4096;

    private static final MethodHandle POSIX_OPENPT = LIBC.function("posix_openpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = LIBC.function("grantpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = LIBC.function("unlockpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PTSNAME_R = LIBC.function("ptsname_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));

    private final int primary;
    private final Path secondary;
    private boolean closed;

    private Pty(int primary, Path secondary) {
        this.primary = primary;
        this.secondary = secondary;
    }

    /**
     * Opens a new pseudo-terminal: posix_openpt(3), grantpt(3) and unlockpt(3), after which the
     * secondary can be opened by its path.
     *
     * @throws ErrnoException naming the call that failed; ENOENT from posix_openpt when the machine
     *                        (a container without devpts) has no {@code /dev/ptmx}
     */
    public static Pty open() throws ErrnoException {
        int fd = (int) Downcall.retryingEintr("posix_openpt", "O_RDWR|O_NOCTTY|O_CLOEXEC",
                state -> (int) POSIX_OPENPT.invokeExact(state, Libc.O_RDWR | O_NOCTTY | Libc.O_CLOEXEC));
        try {
            Downcall.retryingEintr("grantpt", "fd " + fd, state -> (int) GRANTPT.invokeExact(state, fd));
            Downcall.retryingEintr("unlockpt", "fd " + fd, state -> (int) UNLOCKPT.invokeExact(state, fd));
            return new Pty(fd, Path.of(secondaryName(fd)));
        } catch (ErrnoException | RuntimeException e) {
            Libc.closeQuietly(fd, "Pty.open");
            throw e;
        }
    }

    /**
     * ptsname_r(3): the reentrant form, since ptsname(3) returns a buffer shared by every thread. It
     * returns the error number itself rather than -1.
     */
    private static String secondaryName(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(PATH_MAX);
            Downcall.Outcome outcome = Downcall.attempt("ptsname_r",
                    state -> (int) PTSNAME_R.invokeExact(state, fd, name, (long) PATH_MAX));
            if (outcome.result() != 0) {
                throw new ErrnoException("ptsname_r", "fd " + fd, (int) outcome.result());
            }
            return name.getString(0);
        }
    }

    /** The primary side's descriptor in this process: what a terminal emulator reads the program's output from. */
    public int primary() {
        return primary;
    }

    /** The secondary's path, e.g. {@code /dev/pts/3}: what the program's stdin, stdout and stderr would be. */
    public Path secondary() {
        return secondary;
    }

    /** Closes the primary: the terminal hangs up, and the session it controls gets SIGHUP. */
    @Override
    public void close() throws ErrnoException {
        if (!closed) {
            closed = true;
            Libc.close(primary);
        }
    }
}
