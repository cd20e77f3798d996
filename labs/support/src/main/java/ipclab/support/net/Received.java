package ipclab.support.net;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one {@link Sockets#recvmsg} brought: how many bytes, the descriptors that came with them,
 * and whether the kernel had to drop some of those, or the end of a record. Reused from call to call: make one per socket
 * you read and keep it, so that reading allocates nothing. Used by one thread at a time.
 *
 * <p>The descriptors are open in this process from the moment recvmsg returns, close-on-exec
 * ({@code MSG_CMSG_CLOEXEC}), and they are yours: nothing here closes them, even when
 * {@link #truncated()} says others were lost. Read them before the next call overwrites them.
 */
public final class Received {

    /** The room a default {@code Received} has: a sender attaching more sees them dropped ({@link #truncated()}). */
    public static final int MAX_DESCRIPTORS = 8;

    private final NativeMessage message;
    private final int room;
    private final int[] descriptors;
    private int bytes = -1;
    private int descriptorCount;
    private boolean truncated;
    private boolean dataTruncated;

    /** Room for {@link #MAX_DESCRIPTORS} descriptors per call. */
    public Received() {
        this(MAX_DESCRIPTORS);
    }

    /**
     * Room for {@code room} descriptors per call (0 to {@link #MAX_DESCRIPTORS}). Fewer than the
     * default only to watch the kernel truncate: with room for 0, every descriptor sent is dropped.
     */
    public Received(int room) {
        Objects.checkIndex(room, MAX_DESCRIPTORS + 1);
        this.room = room;
        this.message = new NativeMessage(room);
        this.descriptors = new int[message.controlCapacityInInts()];
    }

    /** Bytes received: 0 at end of stream (the peer closed or shut down its end), -1 when nothing was there (EAGAIN). */
    public int bytes() {
        return bytes;
    }

    /** How many descriptors arrived. */
    public int descriptorCount() {
        return descriptorCount;
    }

    /** The {@code i}-th descriptor that arrived. */
    public int descriptor(int i) {
        Objects.checkIndex(i, descriptorCount);
        return descriptors[i];
    }

    /** The descriptors that arrived, in a new array. */
    public int[] descriptors() {
        return Arrays.copyOf(descriptors, descriptorCount);
    }

    /**
     * True when the sender attached more descriptors than there was room for ({@code MSG_CTRUNC}):
     * the kernel installed those that fit (see {@link #descriptors()}) and closed the others.
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * True when the record was longer than the buffer ({@code MSG_TRUNC}, on a datagram or seqpacket
     * socket): {@link #bytes()} is the buffer's length, and the rest of that record is gone for
     * good. The next call reads the next record, so the two ends stay in step. A stream socket has
     * no records and never says this; what did not fit waits for the next call.
     */
    public boolean dataTruncated() {
        return dataTruncated;
    }

    /** How many descriptors one call can bring. */
    public int room() {
        return room;
    }

    NativeMessage message() {
        return message;
    }

    /** Reads what the kernel wrote into the msghdr after a call that returned {@code result}. */
    void record(int result) {
        bytes = result;
        if (result < 0) {
            descriptorCount = 0;
            truncated = false;
            dataTruncated = false;
            return;
        }
        truncated = (message.flags() & MessageHeader.MSG_CTRUNC) != 0;
        dataTruncated = (message.flags() & MessageHeader.MSG_TRUNC) != 0;
        descriptorCount = MessageHeader.descriptorsIn(message.control(), message.controlLength(), descriptors);
    }

    @Override
    public String toString() {
        return "Received[" + bytes + " bytes, descriptors " + Arrays.toString(descriptors()) + (truncated ? ", truncated" : "")
                + (dataTruncated ? ", data truncated" : "") + "]";
    }
}
