package ipclab.lab07;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The durable journal of this lab: a Chronicle Queue, i.e. a directory of memory-mapped files that
 * every process opening it shares. A writer appends <em>documents</em>; each gets an <em>index</em>
 * (cycle number and position within the cycle), and a reader ("tailer") can move to any index and
 * read on. Given code: how the queues are opened and what the records look like.
 *
 * <p>A document becomes visible to readers only when it is complete: its header is written last, in
 * one ordered store. So a process killed half-way through a document leaves nothing a reader sees.
 *
 * <p>Two kinds of records:
 * <ul>
 *   <li>a <b>source</b> record (what the producer publishes): {@code seq} and {@code value}, two longs;</li>
 *   <li>a <b>processed</b> record (what the consumer commits): {@link Processed}.</li>
 * </ul>
 */
public final class Journal {

    private Journal() {
    }

    /**
     * Opens (creating if needed) the queue in {@code directory}. Close it when done: it holds mapped
     * files and, until closed, its files stay locked to this process.
     */
    public static ChronicleQueue open(Path directory) {
        return SingleChronicleQueueBuilder.single(directory.toFile())
                // One file per day is plenty for a lab; the rolling itself is not the topic here.
                .rollCycle(RollCycles.FAST_DAILY)
                // How long an appender waits for a lock held by another process before it takes it over.
                .timeoutMS(2_000)
                .build();
    }

    /** The work a consumer does for one message: any pure function of the value will do. */
    public static long process(long value) {
        long x = value * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 31);
    }

    /** Appends one source record. */
    public static void appendSource(ExcerptAppender appender, long seq, long value) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.writeLong(seq);
            bytes.writeLong(value);
        }
    }

    /** Publishes {@code count} source records with sequence numbers {@code firstSeq, firstSeq + 1, …}. */
    public static void publish(ChronicleQueue queue, long firstSeq, long count) {
        try (ExcerptAppender appender = queue.createAppender()) {
            for (long seq = firstSeq; seq < firstSeq + count; seq++) {
                appendSource(appender, seq, valueOf(seq));
            }
        }
    }

    /** The value the producer publishes with {@code seq}: made up, but checkable. */
    public static long valueOf(long seq) {
        return seq * 31 + 7;
    }

    /** Reads a source record from an open document: {seq, value}. */
    public static long[] readSource(DocumentContext dc) {
        Bytes<?> bytes = dc.wire().bytes();
        return new long[] {bytes.readLong(), bytes.readLong()};
    }

    /** Writes a processed record into an open document. */
    public static void writeProcessed(DocumentContext dc, Processed record) {
        Bytes<?> bytes = dc.wire().bytes();
        bytes.writeLong(record.seq());
        bytes.writeLong(record.sourceIndex());
        bytes.writeLong(record.result());
    }

    /** Reads a processed record from an open document. */
    public static Processed readProcessed(DocumentContext dc) {
        Bytes<?> bytes = dc.wire().bytes();
        return new Processed(bytes.readLong(), bytes.readLong(), bytes.readLong());
    }
}
