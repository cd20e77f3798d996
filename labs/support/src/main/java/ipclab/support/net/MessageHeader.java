package ipclab.support.net;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What {@code sendmsg(2)} and {@code recvmsg(2)} take besides the descriptor: a {@code struct msghdr}
 * pointing at the data ({@code struct iovec}s) and at a control buffer of control messages
 * ({@code struct cmsghdr}), which is how descriptors travel ({@code SCM_RIGHTS}). The layouts are
 * those of 64-bit Linux, the same on x86-64 and aarch64 (64-bit pointers and {@code size_t}).
 *
 * <p>A control buffer holds control messages one after another, each a header and its data padded
 * to 8 bytes: {@code CMSG_SPACE(n)} bytes for {@code n} bytes of data. For descriptors the data is
 * an array of {@code int}, so room for {@code k} descriptors is {@code CMSG_SPACE(k * sizeof(int))},
 * {@link #controlSpace(int)} here.
 */
public final class MessageHeader {

    /** cmsg_level of a descriptor-passing control message. */
    public static final int SOL_SOCKET = 1;
    /** cmsg_type of a descriptor-passing control message: the data is an array of int descriptors. */
    public static final int SCM_RIGHTS = 1;
    /** In msg_flags after recvmsg: the control buffer was too small, some control data was dropped. */
    public static final int MSG_CTRUNC = 0x8;
    /** In msg_flags after recvmsg: the data buffer was too small for the record (datagram and seqpacket sockets), whose rest is gone. */
    public static final int MSG_TRUNC = 0x20;
    /** A recvmsg flag: the received descriptors are close-on-exec, set atomically by the kernel. */
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** sizeof(struct cmsghdr): size_t cmsg_len; int cmsg_level; int cmsg_type. */
    public static final int CMSG_HEADER = 16;

    /** struct msghdr on 64-bit Linux. */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    /** struct iovec: one buffer of a scatter/gather list. */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    private MessageHeader() {
    }

    /** {@code offsetof(struct msghdr, field)}, e.g. {@code offsetOf("msg_control")}. */
    public static long offsetOf(String field) {
        return MSGHDR.byteOffset(PathElement.groupElement(field));
    }

    /**
     * CMSG_SPACE(count * sizeof(int)): the bytes a control buffer needs to hold one SCM_RIGHTS
     * message of {@code count} descriptors (header, data, padding to 8 bytes).
     */
    public static int controlSpace(int count) {
        return CMSG_HEADER + align(count * Integer.BYTES);
    }

    /** CMSG_LEN(count * sizeof(int)): the cmsg_len of an SCM_RIGHTS message of {@code count} descriptors (no padding). */
    public static int controlLength(int count) {
        return CMSG_HEADER + count * Integer.BYTES;
    }

    /**
     * Every descriptor of every SCM_RIGHTS message in the first {@code length} bytes of a control
     * buffer (recvmsg's msg_controllen): they are open in this process now, and the caller's to close.
     */
    public static int[] descriptorsIn(MemorySegment control, long length) {
        int[] found = new int[(int) (length / Integer.BYTES)];
        return Arrays.copyOf(found, descriptorsIn(control, length, found));
    }

    /**
     * As {@link #descriptorsIn(MemorySegment, long)}, into {@code found}, without allocating: returns
     * how many there are. Walks the control messages as CMSG_FIRSTHDR and CMSG_NXTHDR do.
     *
     * @throws IllegalArgumentException when {@code found} is shorter than {@code length / 4}, the
     *                                  most that can arrive: checked before looking, so that a buffer
     *                                  too small fails every call rather than leak descriptors in one
     */
    public static int descriptorsIn(MemorySegment control, long length, int[] found) {
        if (found.length < length / Integer.BYTES) {
            throw new IllegalArgumentException(length + " bytes of control data may hold up to " + length / Integer.BYTES
                    + " descriptors; an array of " + found.length + " is too small");
        }
        int count = 0;
        long at = 0;
        while (at + CMSG_HEADER <= length) {
            long cmsgLen = control.get(JAVA_LONG, at);
            int level = control.get(JAVA_INT, at + 8);
            int type = control.get(JAVA_INT, at + 12);
            if (cmsgLen < CMSG_HEADER || at + cmsgLen > length) {
                break;
            }
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                for (long p = at + CMSG_HEADER; p + Integer.BYTES <= at + cmsgLen; p += Integer.BYTES) {
                    found[count++] = control.get(JAVA_INT, p);
                }
            }
            at += align((int) cmsgLen);
        }
        return count;
    }

    /** CMSG_ALIGN: rounds up to a multiple of sizeof(size_t), 8. */
    private static int align(int bytes) {
        return (bytes + 7) & ~7;
    }
}
