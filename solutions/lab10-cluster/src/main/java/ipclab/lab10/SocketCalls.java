package ipclab.lab10;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The socket calls a worker needs on a <em>raw</em> descriptor it received from the master, through
 * the Foreign Function &amp; Memory API: the JDK cannot wrap a received TCP descriptor in a channel.
 * {@code accept4(2)} is here; {@code Libc.read}, {@code Libc.write}, {@code Libc.poll},
 * {@code Libc.fcntl} and {@code Libc.close} do the rest. (A JDK channel's own descriptor, to send to
 * a worker, comes from {@code ipclab.support.ChannelDescriptor.of}.)
 *
 * <p>Given code, written like {@code Libc}: a handle from {@code CLibrary}, called through
 * {@code Downcall}, which captures errno right after the call; a failure becomes an
 * {@link ErrnoException} that names the call.
 */
public final class SocketCalls {

    /** accept4 flag: the new descriptor is closed on exec. */
    public static final int SOCK_CLOEXEC = 02000000;

    /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags) */
    private static final MethodHandle ACCEPT4 = LIBC.function("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));

    private SocketCalls() {
    }

    /**
     * accept4(2) on listening descriptor {@code listenFd}: the next connected client, as a new
     * close-on-exec descriptor, or -1 when the listener is non-blocking and nobody is waiting
     * (EAGAIN: another process sharing the listener took the connection first).
     */
    public static int accept(int listenFd) throws ErrnoException {
        while (true) {
            // NULL address and length: who the client is does not matter here.
            Downcall.Outcome accepted = Downcall.attempt("accept4",
                    state -> (int) ACCEPT4.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC));
            if (!accepted.failed()) {
                return (int) accepted.result();
            }
            switch (accepted.errno()) {
                case EAGAIN -> {
                    return -1;
                }
                // A signal handler ran, or a client gave up between arriving and being accepted: try again.
                case EINTR, ECONNABORTED -> { }
                case null, default -> throw accepted.exception("listening socket " + listenFd);
            }
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
