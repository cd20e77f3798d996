package ipclab.support.proc;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A process's exit as a descriptor: {@link #open} gives a pidfd, which becomes readable when the
 * process exits, so an event loop learns of the exit the way it learns of a socket's bytes, by
 * watching the descriptor ({@code EventLoop.watch(pidfd, READABLE, ...)}), and then {@link #reap}s it.
 *
 * <p>Why not SIGCHLD, as libuv does: a signal arrives on some thread at any moment, says only "some
 * child changed", and is coalesced with others; the handler must then call waitpid(-1), which would
 * also reap the children the JDK started and waits for itself. A pidfd is one child's own, and
 * needs no signal handler at all.
 *
 * <p>Why not a bare pid: a pid is a number the kernel gives to a new process once the old one has
 * been reaped, so a kill(2) sent later may reach a stranger. A pidfd refers to the process itself;
 * it stays readable while the process is a zombie (exited, not yet reaped), so there is no race
 * with a child that exits before it is watched: open it right after spawning.
 */
public final class PidFd {

    /** pidfd_open's number on x86-64 and aarch64 alike: new system calls share one table (Linux 5.3). */
    private static final long SYS_PIDFD_OPEN = 434;

    /** long syscall(long number, ...) for pidfd_open(pid_t pid, unsigned int flags), which glibc 2.36 wraps and older ones do not. */
    private static final MethodHandle SYSCALL2 = LIBC.variadic("syscall", 1,
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));

    private PidFd() {
    }

    /**
     * pidfd_open(2): a descriptor for process {@code pid}, close-on-exec (the kernel always sets it),
     * readable once the process has exited. Close it when done; closing it does not reap the process.
     *
     * @throws ErrnoException ESRCH when no process has that pid (a zombie still has one)
     */
    public static int open(int pid) throws ErrnoException {
        return (int) Downcall.retryingEintr("pidfd_open", "pid " + pid,
                state -> (long) SYSCALL2.invokeExact(state, SYS_PIDFD_OPEN, (long) pid, 0L));
    }

    /**
     * waitpid(pid, WNOHANG): reaps the child {@code pid} if it has exited, so that the kernel can
     * forget it and give its pid to another process. Empty while it runs. Only ever this one pid,
     * never waitpid(-1), which would also take the exit of a child that another part of the program
     * waits for (the JDK's own {@code Process} children, a library's).
     *
     * @throws ErrnoException ECHILD when {@code pid} is not a child of this process, or was reaped already
     */
    public static Optional<WaitStatus> reap(int pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            if (Libc.waitpid(pid, status, Libc.WNOHANG) == 0) {
                return Optional.empty();
            }
            return Optional.of(WaitStatus.decode(status.get(JAVA_INT, 0)));
        }
    }
}
