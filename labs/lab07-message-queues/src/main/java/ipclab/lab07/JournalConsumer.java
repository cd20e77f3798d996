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
        throw new UnsupportedOperationException("TODO: open both queues with Journal.open, then position the tailer after the last committed record");
    }

    /** The last record committed to a processed journal, or empty when it has none. */
    public static Optional<Processed> lastCommitted(ChronicleQueue processed) {
        throw new UnsupportedOperationException("TODO: read the last document with a BACKWARD tailer from toEnd() (Journal.readProcessed)");
    }

    /**
     * Processes the next source message, if one is there: reads it, computes {@link Journal#process},
     * and appends result and source index in one document.
     *
     * @return what was committed, or empty when the source has nothing new yet
     */
    public Optional<Processed> processNext() {
        throw new UnsupportedOperationException("TODO: read one source document, then append result and source index in ONE writingDocument");
    }

    /** Moves the tailer past the source message of the last committed record. */
    private void resume() {
        throw new UnsupportedOperationException("TODO: moveToIndex(last committed sourceIndex) and read past it, or toStart() when nothing is committed");
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
