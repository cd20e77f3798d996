package ipclab.lab05;

import ipclab.support.ErrnoException;
import ipclab.support.net.Sockets;

/**
 * The socket calls this lab needs that neither the JDK nor {@code Libc} offers, through the Foreign
 * Function &amp; Memory API: {@code socketpair(2)} of any type. The two descriptors it returns are
 * ordinary descriptors: {@code Libc.read}, {@code Libc.write} and {@code Libc.close} work on them.
 *
 * <p>Given code: the call itself is the support module's {@code Sockets.socketpair}, which the
 * event loops of labs 09 and 10 use too. A failure is an {@link ErrnoException} that names the call.
 */
public final class SocketCalls {

    /** The address family of Unix domain sockets (also called AF_LOCAL). */
    public static final int AF_UNIX = 1;
    /** A byte stream: no message boundaries, like a pipe, but both ways. */
    public static final int SOCK_STREAM = 1;
    /** Datagrams: each write is one message, delivered whole or not at all. */
    public static final int SOCK_DGRAM = 2;
    /** Sequenced packets: connected and reliable like a stream, but each write stays one message. */
    public static final int SOCK_SEQPACKET = 5;
    /** Or-ed into the type: the new descriptors are closed on exec. */
    public static final int SOCK_CLOEXEC = 02000000;

    private SocketCalls() {
    }

    /**
     * socketpair(2): two connected Unix domain sockets of {@code type} ({@link #SOCK_STREAM},
     * {@link #SOCK_DGRAM} or {@link #SOCK_SEQPACKET}), both close-on-exec. What one end writes,
     * the other reads; neither has a name, so no other process can connect to them.
     */
    public static int[] socketpair(int type) throws ErrnoException {
        // int socketpair(int domain, int type, int protocol, int sv[2]), made by the support module.
        return Sockets.socketpair(type);
    }
}
