package ipclab.lab08;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import ipclab.support.net.MessageHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

import static ipclab.support.CLibrary.LIBC;
import static ipclab.support.net.MessageHeader.IOVEC;
import static ipclab.support.net.MessageHeader.MSGHDR;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code recvmsg(2)} with a control buffer of a size you choose, through the Foreign Function &amp;
 * Memory API. junixsocket receives descriptors too, but it never lets its control buffer be smaller
 * than it likes, so it cannot show what the kernel does when the buffer is too small: it sets
 * {@link #MSG_CTRUNC} in {@code msg_flags}, installs only the descriptors that fit, and closes the rest.
 *
 * <p>Given code, written like {@code Libc}: a handle from {@code CLibrary}, called through
 * {@code Downcall}, which captures errno right after the call and turns a failure into an
 * {@link ErrnoException} that names the call. The layouts ({@code struct msghdr}, {@code struct
 * iovec}, the control messages) are those of x86-64 and aarch64 Linux (64-bit {@code size_t}), from
 * {@code ipclab.support.net.MessageHeader}, which the course's event loop uses too.
 */
public final class ScmRights {

    /** cmsg_level of a descriptor-passing control message. */
    public static final int SOL_SOCKET = MessageHeader.SOL_SOCKET;
    /** cmsg_type of a descriptor-passing control message: the data is an array of int descriptors. */
    public static final int SCM_RIGHTS = MessageHeader.SCM_RIGHTS;
    /** In msg_flags after recvmsg: the control buffer was too small, some control data was dropped. */
    public static final int MSG_CTRUNC = MessageHeader.MSG_CTRUNC;
    /** In msg_flags after recvmsg: the data buffer was too small (datagrams only). */
    public static final int MSG_TRUNC = MessageHeader.MSG_TRUNC;
    /** A recvmsg flag: the received descriptors are close-on-exec, set atomically by the kernel. */
    public static final int MSG_CMSG_CLOEXEC = MessageHeader.MSG_CMSG_CLOEXEC;

    /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags) */
    private static final MethodHandle RECVMSG = LIBC.function("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** What one recvmsg call returned: the data bytes, the descriptors installed for us, and msg_flags. */
    public record Message(byte[] data, int[] descriptors, int flags) {

        /** True when the kernel had more control data than our buffer held: descriptors were dropped. */
        public boolean controlTruncated() {
            return (flags & MSG_CTRUNC) != 0;
        }

        @Override
        public String toString() {
            return "Message[" + data.length + " bytes, descriptors " + Arrays.toString(descriptors) + ", flags 0x" + Integer.toHexString(flags) + "]";
        }
    }

    private ScmRights() {
    }

    /**
     * CMSG_SPACE(count * sizeof(int)): the bytes a control buffer needs to hold one SCM_RIGHTS
     * message of {@code count} descriptors (header, data, padding to 8 bytes).
     */
    public static int controlSpace(int count) {
        return MessageHeader.controlSpace(count);
    }

    /**
     * recvmsg(2) on {@code socketFd}: up to {@code maxBytes} data bytes and a control buffer of
     * {@code controlBytes} bytes (use {@link #controlSpace}; 0 means "no room for descriptors").
     * Received descriptors are close-on-exec. An empty {@code data} means end of stream.
     * Blocks like read(2) on a blocking socket.
     */
    public static Message recvmsg(int socketFd, int maxBytes, int controlBytes) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, maxBytes));
            MemorySegment control = arena.allocate(Math.max(8, controlBytes), 8);
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, maxBytes);
            MemorySegment msg = arena.allocate(MSGHDR);
            msg.set(ADDRESS, MessageHeader.offsetOf("msg_iov"), iov);
            msg.set(JAVA_LONG, MessageHeader.offsetOf("msg_iovlen"), 1L);
            msg.set(ADDRESS, MessageHeader.offsetOf("msg_control"), controlBytes == 0 ? MemorySegment.NULL : control);
            long controlLenAt = MessageHeader.offsetOf("msg_controllen");
            msg.set(JAVA_LONG, controlLenAt, controlBytes);
            long received = Downcall.retryingEintr("recvmsg", "socket descriptor " + socketFd,
                    state -> (long) RECVMSG.invokeExact(state, socketFd, msg, MSG_CMSG_CLOEXEC));
            int flags = msg.get(JAVA_INT, MessageHeader.offsetOf("msg_flags"));
            long controlLength = msg.get(JAVA_LONG, controlLenAt);
            // Walks the control messages (CMSG_FIRSTHDR / CMSG_NXTHDR) and collects every SCM_RIGHTS descriptor.
            int[] descriptors = MessageHeader.descriptorsIn(control, controlBytes == 0 ? 0 : controlLength);
            return new Message(data.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE), descriptors, flags);
        }
    }
}
