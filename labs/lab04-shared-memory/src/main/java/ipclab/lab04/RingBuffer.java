package ipclab.lab04;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A single-producer single-consumer queue of records in shared memory: one process offers, another
 * polls, and no lock or system call is involved, only loads and stores with the right ordering.
 *
 * <pre>
 *  offset 0    head: records ever committed (written only by the producer)   ─┐ one 64-byte
 *  offset 64   tail: records ever consumed  (written only by the consumer)   ─┤ cache line each
 *  offset 128  slot 0 │ slot 1 │ … │ slot N-1    each: int length, then the record's bytes
 * </pre>
 *
 * Record number {@code k} lives in slot {@code k % N}. The queue is empty when {@code tail == head}
 * and full when {@code head - tail == N}. The producer fills a slot <em>then</em> publishes it by
 * storing {@code head + 1} with release semantics; the consumer loads {@code head} with acquire
 * semantics, so the slot's bytes are visible before it reads them: a record is never seen torn.
 * The same pair works the other way for {@code tail}: a slot is reused only after its record has
 * been copied out.
 *
 * <p>One thread (in one process) offers and one thread (in one process) polls; each side may be a
 * different {@code RingBuffer} object over its own mapping of the same memory.
 */
public final class RingBuffer {

    /** Where the producer's counter lives (its own cache line). */
    public static final long HEAD_OFFSET = 0;
    /** Where the consumer's counter lives (its own cache line). */
    public static final long TAIL_OFFSET = 64;
    /** Where slot 0 starts. */
    public static final long SLOTS_OFFSET = 128;
    /** Each slot begins with the record's length, as an int. */
    public static final int LENGTH_BYTES = 4;

    /** Plain, acquire and release access to a long in a segment: coordinates (segment, offset). */
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment segment;
    private final int slots;
    private final int slotBytes;
    /** The producer's last look at tail: re-read only when the queue seems full. */
    private long tailSeen;
    /** The consumer's last look at head: re-read only when the queue seems empty. */
    private long headSeen;

    /**
     * A ring over {@code segment}, which must hold {@link #bytesFor(int, int)} bytes, start at an
     * address divisible by 64, and be zero (or hold a ring of the same shape) at the start.
     *
     * @param slots     how many records fit at once: a power of two
     * @param slotBytes the bytes of one slot, a multiple of 8; a record may have {@code slotBytes - 4} bytes
     */
    public RingBuffer(MemorySegment segment, int slots, int slotBytes) {
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two (at least 2), not " + slots);
        }
        if (slotBytes <= LENGTH_BYTES || slotBytes % 8 != 0) {
            throw new IllegalArgumentException("slotBytes must be a multiple of 8 larger than " + LENGTH_BYTES + ", not " + slotBytes);
        }
        if (segment.byteSize() < bytesFor(slots, slotBytes)) {
            throw new IllegalArgumentException("a ring of " + slots + " slots of " + slotBytes + " bytes needs "
                    + bytesFor(slots, slotBytes) + " bytes; the segment has " + segment.byteSize());
        }
        if (!segment.isNative() || segment.address() % 64 != 0) {
            throw new IllegalArgumentException("the ring must start on a cache line (an address divisible by 64)");
        }
        this.segment = segment;
        this.slots = slots;
        this.slotBytes = slotBytes;
    }

    /** The bytes a ring of this shape occupies. */
    public static long bytesFor(int slots, int slotBytes) {
        return SLOTS_OFFSET + (long) slots * slotBytes;
    }

    /** The largest record a slot holds. */
    public int maxRecordBytes() {
        return slotBytes - LENGTH_BYTES;
    }

    public int slots() {
        return slots;
    }

    /** Where record number {@code sequence} lives. */
    long slotOffset(long sequence) {
        return SLOTS_OFFSET + (sequence & (slots - 1)) * slotBytes;
    }

    /** Records committed so far (the head counter, read with acquire semantics). */
    public long committed() {
        return (long) LONG.getAcquire(segment, HEAD_OFFSET);
    }

    /** Records consumed so far (the tail counter, read with acquire semantics). */
    public long consumed() {
        return (long) LONG.getAcquire(segment, TAIL_OFFSET);
    }

    /**
     * Producer: appends {@code record[offset..offset+length)} unless the ring is full.
     *
     * @return {@code false} when all slots hold unconsumed records (nothing was written)
     * @throws IllegalArgumentException when the record is longer than {@link #maxRecordBytes()}
     */
    public boolean offer(byte[] record, int offset, int length) {
        throw new UnsupportedOperationException("TODO: if head - tail < slots, write length and bytes into slot head % slots, then publish head + 1 with LONG.setRelease (tail read with getAcquire)");
    }

    /** Producer: {@link #offer(byte[], int, int)} of the whole array. */
    public boolean offer(byte[] record) {
        return offer(record, 0, record.length);
    }

    /**
     * Consumer: copies the oldest record into {@code into} and frees its slot.
     *
     * @return the record's length, or -1 when the ring is empty
     * @throws IllegalArgumentException when the record is longer than {@code into} (it stays in the ring)
     */
    public int poll(byte[] into) {
        throw new UnsupportedOperationException("TODO: if tail < head (head read with getAcquire), copy the record out of slot tail % slots, then free it with LONG.setRelease(tail + 1); -1 when empty");
    }

    /** Producer: offers the record, waiting (spin, yield, park) while the ring is full. */
    public void put(byte[] record, Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff();
        while (!offer(record, 0, record.length)) {
            if (backoff.pastSpinning() && System.nanoTime() - deadline > 0) {
                throw new TimeoutException("the ring stayed full for " + timeout + ": is the consumer still polling?");
            }
            backoff.idle();
        }
    }

    /** Consumer: polls a record, waiting (spin, yield, park) while the ring is empty; returns its length. */
    public int take(byte[] into, Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff();
        int length;
        while ((length = poll(into)) < 0) {
            if (backoff.pastSpinning() && System.nanoTime() - deadline > 0) {
                throw new TimeoutException("the ring stayed empty for " + timeout + ": is the producer still offering?");
            }
            backoff.idle();
        }
        return length;
    }

    @Override
    public String toString() {
        return "ring of " + slots + " slots × " + slotBytes + " bytes (committed " + committed() + ", consumed " + consumed() + ")";
    }
}
