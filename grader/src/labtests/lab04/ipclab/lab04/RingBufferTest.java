package ipclab.lab04;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RingBufferTest {

    private static final String STEP = "Step 2: A ring buffer across processes";

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("the ring keeps records in order, refuses an offer when full and a poll when empty, and keeps head and tail in shared memory")
    void keepsOrderAndBoundsAndCountersInSharedMemory() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("ring", RingBuffer.bytesFor(4, 16));
             TestKit.Shm other = TestKit.Shm.open(shm.file)) {
            RingBuffer producer = new RingBuffer(shm.segment, 4, 16);
            RingBuffer consumer = new RingBuffer(other.segment, 4, 16); // another mapping, as another process has
            byte[] into = new byte[16];

            assertThat(consumer.poll(into)).as("poll on an empty ring should return -1").isEqualTo(-1);
            for (int i = 0; i < 4; i++) {
                assertThat(producer.offer(record(i))).as("offer #%d into a ring of 4 free slots should succeed", i).isTrue();
            }
            assertThat(producer.offer(record(4)))
                    .as("the 5th offer into a ring of 4 slots, none consumed, should return false: it would overwrite record 0")
                    .isFalse();
            assertThat(counter(shm.segment, RingBuffer.HEAD_OFFSET))
                    .as("after 4 offers the head counter in shared memory (at HEAD_OFFSET) should be 4: the other process"
                            + " learns of new records only from there, not from a field of your object")
                    .isEqualTo(4);
            assertThat(counter(shm.segment, RingBuffer.TAIL_OFFSET)).as("nothing consumed yet: tail (at TAIL_OFFSET) is 0").isZero();

            expectRecord(consumer, into, 0);
            assertThat(counter(shm.segment, RingBuffer.TAIL_OFFSET))
                    .as("after one poll the tail counter in shared memory should be 1: that frees the slot for the producer")
                    .isEqualTo(1);
            assertThat(producer.offer(record(4))).as("after one poll, one slot is free again (slot 0, reused)").isTrue();
            for (int i = 1; i <= 4; i++) {
                expectRecord(consumer, into, i);
            }
            assertThat(consumer.poll(into)).as("all 5 records consumed: poll should return -1").isEqualTo(-1);

            for (int i = 5; i < 200; i++) { // around the ring many times, with records of every length
                assertThat(producer.offer(record(i))).as("offer #%d into an empty ring", i).isTrue();
                if (i % 3 == 0) {
                    assertThat(producer.offer(record(++i))).as("offer #%d", i).isTrue();
                    expectRecord(consumer, into, i - 1);
                }
                expectRecord(consumer, into, i);
            }
            assertThat(counter(shm.segment, RingBuffer.HEAD_OFFSET)).as("head after 200 records").isEqualTo(200);
            assertThat(counter(shm.segment, RingBuffer.TAIL_OFFSET)).as("tail after 200 records").isEqualTo(200);

            assertThatThrownBy(() -> producer.offer(new byte[13]))
                    .as("a 13-byte record cannot fit a 16-byte slot (4 bytes go to its length): IllegalArgumentException")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(counter(shm.segment, RingBuffer.HEAD_OFFSET)).as("a refused record must not move head").isEqualTo(200);
            assertThat(producer.offer(new byte[0])).as("an empty record is a record too").isTrue();
            assertThat(consumer.poll(into)).as("the empty record comes back with length 0").isZero();
        }
    }

    @Test
    @Graded(points = 18, handout = STEP)
    @DisplayName("ten million sequenced records cross from a child JVM to this one through the ring: in order, none lost, none doubled, none torn")
    void tenMillionRecordsBetweenTwoJvms() throws Exception {
        long count = 10_000_000;
        int slots = 1024;
        int slotBytes = 24;
        try (TestKit.Shm shm = TestKit.Shm.create("ring10m", RingBuffer.bytesFor(slots, slotBytes));
             TestKit.Child producer = TestKit.startSyncChild("produce", shm.file.toString(), Long.toString(count),
                     Integer.toString(slots), Integer.toString(slotBytes))) {
            RingBuffer ring = new RingBuffer(shm.segment, slots, slotBytes);
            Long received = Await.await(Await.onNewThread("lab04-consumer", () -> {
                byte[] into = new byte[slotBytes];
                MemorySegment view = MemorySegment.ofArray(into);
                for (long expected = 0; expected < count; expected++) {
                    int length = ring.take(into, Duration.ofSeconds(10));
                    long n = view.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                    long check = view.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
                    if (length != SyncChild.RECORD_BYTES) {
                        fail("record " + expected + " has length " + length + " instead of " + SyncChild.RECORD_BYTES);
                    }
                    if (check != n * SyncChild.RECORD_CHECK) {
                        fail("record " + expected + " is torn: its number says " + n + " but its second half belongs to another"
                                + " record. The consumer saw the slot before the producer's stores were visible: publish head with"
                                + " setRelease after writing the slot, and read head with getAcquire before reading it");
                    }
                    if (n != expected) {
                        fail("expected record " + expected + " but got record " + n + (n < expected ? " again (doubled:"
                                + " is tail advanced after every poll, in shared memory?)" : " (records lost: does the producer"
                                + " overwrite slots the consumer has not read? compare head - tail with the number of slots)"));
                    }
                }
                return count;
            }), Duration.ofSeconds(25), "the consumer did not receive all " + count + " records; a ring that parks or sleeps"
                    + " too long per record, or a lost wake-up between the two sides, is too slow");
            assertThat(received).isEqualTo(count);
            producer.expectExit(0, Duration.ofSeconds(10), "the producer should exit 0 once all records are in the ring");
            assertThat(ring.poll(new byte[slotBytes])).as("after all %d records, the ring should be empty", count).isEqualTo(-1);
        }
    }

    private static byte[] record(int i) {
        String text = "r" + i + "-".repeat(i % 9); // 2 to 12 bytes: every length a slot of 16 takes
        return text.substring(0, Math.min(12, text.length())).getBytes(StandardCharsets.US_ASCII);
    }

    private static void expectRecord(RingBuffer consumer, byte[] into, int i) {
        byte[] expected = record(i);
        int length = consumer.poll(into);
        assertThat(length).as("poll should return record #%d's length (%d bytes); -1 means it found the ring empty", i, expected.length)
                .isEqualTo(expected.length);
        assertThat(new String(into, 0, length, StandardCharsets.US_ASCII))
                .as("records come out in the order they went in: poll #%d", i)
                .isEqualTo(new String(expected, StandardCharsets.US_ASCII));
    }

    private static long counter(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_LONG, offset);
    }
}
