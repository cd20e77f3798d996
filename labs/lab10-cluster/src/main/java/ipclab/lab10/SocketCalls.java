package ipclab.lab10;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Sockets;

/**
 * The socket calls a worker needs on a <em>raw</em> descriptor it received from the master, through
 * the Foreign Function &amp; Memory API: the JDK cannot wrap a received TCP descriptor in a channel.
 * {@code accept4(2)} is here (the support module's {@code Sockets} makes the call, for the event
 * loops of labs 09 and 10 too); {@code Libc.read}, {@code Libc.write}, {@code Libc.poll},
 * {@code Libc.fcntl} and {@code Libc.close} do the rest. (A JDK channel's own descriptor, to send to
 * a worker, comes from {@code ipclab.support.ChannelDescriptor.of}.)
 *
 * <p>Given code. A failure is an {@link ErrnoException} that names the call.
 */
public final class SocketCalls {

    /** accept4 flag: the new descriptor is closed on exec. */
    public static final int SOCK_CLOEXEC = 02000000;

    private SocketCalls() {
    }

    /**
     * accept4(2) on listening descriptor {@code listenFd}: the next connected client, as a new
     * close-on-exec descriptor, or -1 when the listener is non-blocking and nobody is waiting
     * (EAGAIN: another process sharing the listener took the connection first).
     */
    public static int accept(int listenFd) throws ErrnoException {
        return Sockets.accept4(listenFd, 0);
    }

    /** Makes {@code fd}'s open file description non-blocking (shared by every process holding it). */
    public static void setNonBlocking(int fd) throws ErrnoException {
        Sockets.setNonBlocking(fd);
    }

    /** write(2) until every byte is out (a blocking socket may take them in several pieces). */
    public static void writeAll(int fd, byte[] data) throws ErrnoException {
        int done = 0;
        while (done < data.length) {
            done += Libc.write(fd, data, done, data.length - done);
        }
    }
}
