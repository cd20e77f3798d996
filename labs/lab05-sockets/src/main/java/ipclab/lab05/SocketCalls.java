package ipclab.lab05;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
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
 * The socket calls this lab needs that neither the JDK nor {@code Libc} offers, through the Foreign
 * Function &amp; Memory API: {@code socketpair(2)} of any type. The two descriptors it returns are
 * ordinary descriptors: {@code Libc.read}, {@code Libc.write} and {@code Libc.close} work on them.
 *
 * <p>Given code, written like {@code Libc}: errno is captured right after the call and a failure
 * becomes an {@link ErrnoException} that names the call.
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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKETPAIR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("socketpair").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.captureCallState("errno"));

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
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int result = (int) SOCKETPAIR.invokeExact(state, AF_UNIX, type | SOCK_CLOEXEC, 0, fds);
                if (result == 0) {
                    return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != Errno.EINTR.code()) {
                    throw new ErrnoException("socketpair", "AF_UNIX, type " + type, errno);
                }
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socketpair could not be called", t);
        }
    }
}
