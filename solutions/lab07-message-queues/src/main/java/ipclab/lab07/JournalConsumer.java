package ipclab.lab07;

import java.nio.file.Path;
import java.util.Optional;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads the source journal and commits one {@link Processed} record per message into the processed
 * journal, so that a consumer killed at any moment and started again processes every message
 * exactly once.
 *
 * <p>The trick: the consumer keeps no position of its own anywhere else. Its position <em>is</em>
 * the {@code sourceIndex} of the last processed record, written in the same document as the result.
 * A crash before that document is complete loses the result and the position together (the message
 * is simply processed again); a crash after it loses neither.
 */
public final class JournalConsumer implements AutoCloseable {

    private final ChronicleQueue source;
    private final ChronicleQueue processed;
    private final ExcerptTailer tailer;
    private final ExcerptAppender appender;

    private JournalConsumer(ChronicleQueue source, ChronicleQueue processed) {
        this.source = source;
        this.processed = processed;
        this.tailer = source.createTailer();
        this.appender = processed.createAppender();
    }

    /**
     * Opens both journals and puts the reader just after the last message already committed to
     * {@code processedDir}, or at the start when nothing is.
     */
    public static JournalConsumer open(Path sourceDir, Path processedDir) {
        ChronicleQueue source = Journal.open(sourceDir);
        ChronicleQueue processed = null;
        try {
            processed = Journal.open(processedDir);
            JournalConsumer consumer = new JournalConsumer(source, processed);
            consumer.resume();
            return consumer;
        } catch (RuntimeException | Error e) {
            if (processed != null) {
                processed.close();
            }
            source.close();
            throw e;
        }
    }

    /** The last record committed to a processed journal, or empty when it has none. */
    public static Optional<Processed> lastCommitted(ChronicleQueue processed) {
        try (ExcerptTailer backwards = processed.createTailer().direction(TailerDirection.BACKWARD).toEnd();
             DocumentContext dc = backwards.readingDocument()) {
            return dc.isPresent() ? Optional.of(Journal.readProcessed(dc)) : Optional.empty();
        }
    }

    /**
     * Processes the next source message, if one is there: reads it, computes {@link Journal#process},
     * and appends result and source index in one document.
     *
     * @return what was committed, or empty when the source has nothing new yet
     */
    public Optional<Processed> processNext() {
        try (DocumentContext in = tailer.readingDocument()) {
            if (!in.isPresent()) {
                return Optional.empty();
            }
            long[] message = Journal.readSource(in);
            Processed record = new Processed(message[0], in.index(), Journal.process(message[1]));
            try (DocumentContext out = appender.writingDocument()) {
                Journal.writeProcessed(out, record);
            }
            return Optional.of(record);
        }
    }

    /** Moves the tailer past the source message of the last committed record. */
    private void resume() {
        Optional<Processed> last = lastCommitted(processed);
        if (last.isEmpty()) {
            tailer.toStart();
            return;
        }
        long index = last.get().sourceIndex();
        if (!tailer.moveToIndex(index)) {
            throw new IllegalStateException("the processed journal says index 0x" + Long.toHexString(index)
                    + " was done, but the source journal has no such index: were the two journals mixed up?");
        }
        // moveToIndex puts the tailer *at* that message; read it once (without processing) to go past it.
        try (DocumentContext skipped = tailer.readingDocument()) {
            if (!skipped.isPresent()) {
                throw new IllegalStateException("source message at index 0x" + Long.toHexString(index) + " vanished");
            }
        }
    }

    @Override
    public void close() {
        try {
            tailer.close();
            appender.close();
        } finally {
            try {
                processed.close();
            } finally {
                source.close();
            }
        }
    }
}
