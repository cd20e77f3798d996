package ipclab.lab03;

import java.nio.charset.StandardCharsets;

/**
 * What one non-blocking {@code read(2)} of a FIFO found. The three cases are three different
 * situations, and a reader must treat them differently:
 *
 * <ul>
 *   <li>{@link Data}: bytes (at least one);</li>
 *   <li>{@link NothingYet}: {@code EAGAIN}, a writer exists but has not written anything yet, so try later;</li>
 *   <li>{@link EndOfFile}: read(2) returned 0, no writer has the FIFO open (any more, or yet).</li>
 * </ul>
 *
 * <pre>{@code
 * switch (FifoIo.tryRead(fd, 4096)) {
 *     case ReadResult.Data(byte[] bytes) -> handle(bytes);
 *     case ReadResult.NothingYet() -> waitWithPoll();
 *     case ReadResult.EndOfFile() -> finish();
 * }
 * }</pre>
 */
public sealed interface ReadResult {

    /** Bytes that were in the FIFO; a record's equality is the array's identity, so compare contents. */
    record Data(byte[] bytes) implements ReadResult {
        @Override
        public String toString() {
            return "Data(" + bytes.length + " bytes: \"" + new String(bytes, StandardCharsets.UTF_8) + "\")";
        }
    }

    /** read(2) failed with {@code EAGAIN}: the FIFO is empty, but a writer still has it open. */
    record NothingYet() implements ReadResult {
    }

    /** read(2) returned 0: the FIFO is empty and no process has it open for writing. */
    record EndOfFile() implements ReadResult {
    }
}
