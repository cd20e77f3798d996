package ipclab.lab05;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The socket calls this lab needs that neither the JDK nor {@code Libc} offers, through the Foreign
 * Function &amp; Memory API: {@code socketpair(2)} of any type. The two descriptors it returns are
 * ordinary descriptors: {@code Libc.read}, {@code Libc.write} and {@code Libc.close} work on them.
 *
 * <p>Given code, written like {@code Libc}: a handle from {@code CLibrary}, called through
 * {@code Downcall}, which captures errno right after the call and turns a failure into an
 * {@link ErrnoException} that names the call.
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

    /** int socketpair(int domain, int type, int protocol, int sv[2]) */
    private static final MethodHandle SOCKETPAIR = LIBC.function("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private SocketCalls() {
    }

    /**
     * socketpair(2): two connected Unix domain sockets of {@code type} ({@link #SOCK_STREAM},
     * {@link #SOCK_DGRAM} or {@link #SOCK_SEQPACKET}), both close-on-exec. What one end writes,
     * the other reads; neither has a name, so no other process can connect to them.
     */
    public static int[] socketpair(int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Downcall.retryingEintr("socketpair", "AF_UNIX, type " + type,
                    state -> (int) SOCKETPAIR.invokeExact(state, AF_UNIX, type | SOCK_CLOEXEC, 0, fds));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }
}
