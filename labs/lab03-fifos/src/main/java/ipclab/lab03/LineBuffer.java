package ipclab.lab03;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a byte stream into lines. A FIFO has no message boundaries: one read(2) may return half a
 * line, or three and a half; this keeps the unfinished part until its newline arrives.
 */
final class LineBuffer {

    /** A line longer than this is not one of ours: it would have been split on the way in anyway. */
    static final int MAX_LINE = ipclab.support.Libc.PIPE_BUF;

    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /** Adds {@code bytes[0..length)} and returns the lines completed by them, without their newlines. */
    List<String> add(byte[] bytes, int length) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                lines.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            } else if (partial.size() < MAX_LINE) {
                partial.write(bytes[i]);
            }
            // Beyond MAX_LINE the rest of an over-long line is dropped; it still ends at its newline.
        }
        return lines;
    }

    /** {@code true} when bytes of an unfinished line are waiting for their newline. */
    boolean hasPartialLine() {
        return partial.size() > 0;
    }
}
