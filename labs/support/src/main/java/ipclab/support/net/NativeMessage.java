package ipclab.support.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static ipclab.support.net.MessageHeader.CMSG_HEADER;
import static ipclab.support.net.MessageHeader.IOVEC;
import static ipclab.support.net.MessageHeader.MSGHDR;
import static ipclab.support.net.MessageHeader.SCM_RIGHTS;
import static ipclab.support.net.MessageHeader.SOL_SOCKET;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A {@code struct msghdr} with one {@code struct iovec} and a control buffer, in native memory that
 * is allocated once and reused by call after call: only the data pointer and the lengths change.
 * Used by one thread at a time; the garbage collector frees it with its owner.
 */
final class NativeMessage {

    private static final long MSG_IOV = MessageHeader.offsetOf("msg_iov");
    private static final long MSG_IOVLEN = MessageHeader.offsetOf("msg_iovlen");
    private static final long MSG_CONTROL = MessageHeader.offsetOf("msg_control");
    private static final long MSG_CONTROLLEN = MessageHeader.offsetOf("msg_controllen");
    private static final long MSG_FLAGS = MessageHeader.offsetOf("msg_flags");

    private final MemorySegment header;
    private final MemorySegment iov;
    private final MemorySegment control;
    /**
     * The control bytes offered to recvmsg: CMSG_LEN, not CMSG_SPACE, of the descriptors. The kernel
     * installs as many as fit in what follows the header, and CMSG_SPACE's padding to 8 bytes would
     * make room for one more when the count is odd.
     */
    private final long offered;

    /** Room in the control buffer for exactly {@code descriptors} descriptors (0: no control buffer at all). */
    NativeMessage(int descriptors) {
        Arena memory = Arena.ofAuto();
        header = memory.allocate(MSGHDR);
        iov = memory.allocate(IOVEC);
        control = descriptors == 0 ? MemorySegment.NULL : memory.allocate(MessageHeader.controlSpace(descriptors), 8);
        offered = descriptors == 0 ? 0 : MessageHeader.controlLength(descriptors);
        header.set(ADDRESS, MSG_IOV, iov);
        header.set(JAVA_LONG, MSG_IOVLEN, 1L);
    }

    /** The msghdr, for the call. */
    MemorySegment header() {
        return header;
    }

    /** The data of the next call: the bytes to send, or where to receive. */
    void data(MemorySegment buffer, long length) {
        iov.set(ADDRESS, 0, buffer);
        iov.set(JAVA_LONG, 8, length);
    }

    /** For recvmsg: offers the whole control buffer (the kernel shrinks msg_controllen to what it used). */
    void offerControl() {
        header.set(ADDRESS, MSG_CONTROL, control);
        header.set(JAVA_LONG, MSG_CONTROLLEN, offered);
        header.set(JAVA_INT, MSG_FLAGS, 0);
    }

    /** For sendmsg: one SCM_RIGHTS control message carrying {@code fd}. */
    void attach(int fd) {
        control.set(JAVA_LONG, 0, MessageHeader.controlLength(1)); // cmsg_len: header and data, unpadded
        control.set(JAVA_INT, 8, SOL_SOCKET);
        control.set(JAVA_INT, 12, SCM_RIGHTS);
        control.set(JAVA_INT, CMSG_HEADER, fd);
        header.set(ADDRESS, MSG_CONTROL, control);
        header.set(JAVA_LONG, MSG_CONTROLLEN, MessageHeader.controlSpace(1)); // the whole message, padding included
    }

    /** For sendmsg without a descriptor. */
    void attachNothing() {
        header.set(ADDRESS, MSG_CONTROL, MemorySegment.NULL);
        header.set(JAVA_LONG, MSG_CONTROLLEN, 0L);
    }

    /** After recvmsg: msg_flags. */
    int flags() {
        return header.get(JAVA_INT, MSG_FLAGS);
    }

    /** After recvmsg: how many bytes of the control buffer the kernel filled. */
    long controlLength() {
        return offered == 0 ? 0 : header.get(JAVA_LONG, MSG_CONTROLLEN);
    }

    MemorySegment control() {
        return control;
    }

    /** The control bytes offered, in ints: more than the descriptors that can arrive, as {@link MessageHeader#descriptorsIn} wants. */
    int controlCapacityInInts() {
        return (int) (offered / Integer.BYTES);
    }
}
