package ipclab.lab10;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The socket calls a worker needs on a <em>raw</em> descriptor it received from the master, through
 * the Foreign Function &amp; Memory API: the JDK cannot wrap a received TCP descriptor in a channel.
 * {@code accept4(2)} is here; {@code Libc.read}, {@code Libc.write}, {@code Libc.poll},
 * {@code Libc.fcntl} and {@code Libc.close} do the rest. (A JDK channel's own descriptor, to send to
 * a worker, comes from {@code ipclab.support.ChannelDescriptor.of}.)
 *
 * <p>Given code, written like {@code Libc}: errno is captured right after the call and a failure
 * becomes an {@link ErrnoException} that names the call.
 */
public final class SocketCalls {

    /** accept4 flag: the new descriptor is closed on exec. */
    public static final int SOCK_CLOEXEC = 02000000;

    /** errno of accept4 when a client gave up between arriving and being accepted: just try again. */
    private static final int ECONNABORTED = 103;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle ACCEPT4 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("accept4").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private SocketCalls() {
    }

    /**
     * accept4(2) on listening descriptor {@code listenFd}: the next connected client, as a new
     * close-on-exec descriptor, or -1 when the listener is non-blocking and nobody is waiting
     * (EAGAIN: another process sharing the listener took the connection first).
     */
    public static int accept(int listenFd) throws ErrnoException {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int fd = (int) ACCEPT4.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == Errno.EAGAIN.code()) {
                    return -1;
                }
                if (errno != Errno.EINTR.code() && errno != ECONNABORTED) {
                    throw new ErrnoException("accept4", "listening socket " + listenFd, errno);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("accept4 could not be called", t);
        }
    }

    /** Makes {@code fd}'s open file description non-blocking (shared by every process holding it). */
    public static void setNonBlocking(int fd) throws ErrnoException {
        Libc.fcntl(fd, Libc.F_SETFL, Libc.fcntl(fd, Libc.F_GETFL) | Libc.O_NONBLOCK);
    }

    /** write(2) until every byte is out (a blocking socket may take them in several pieces). */
    public static void writeAll(int fd, byte[] data) throws ErrnoException {
        int done = 0;
        while (done < data.length) {
            done += Libc.write(fd, data, done, data.length - done);
        }
    }
}
