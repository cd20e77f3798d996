package ipclab.lab09;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the byte stream of a stream socket back into lines, as Node's {@code parseChannelMessages}
 * does ({@code lib/internal/child_process/serialization.js} 142–161). A read returns whatever bytes
 * have arrived: half a line, three lines and a bit. The splitter keeps the unfinished tail for the
 * next read. Unlike Node, it refuses to keep more than a limit, so a peer that never sends '\n'
 * cannot make us buffer without end. Pure: no I/O, no threads.
 */
public final class LineSplitter {

    private final int maxLineBytes;
    /** The unfinished line: Node's {@code channel[kJSONBuffer]}. */
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    public LineSplitter(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Adds {@code length} bytes from {@code offset} of {@code bytes} and returns the lines they
     * complete, in order, without their '\n'.
     *
     * @throws ProtocolException when a line grows longer than the limit, naming the limit
     */
    public List<byte[]> feed(byte[] bytes, int offset, int length) throws ProtocolException {
        List<byte[]> lines = new ArrayList<>();
        int start = offset;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                lines.add(partial.toByteArray());
                partial.reset();
                start = i + 1;
            }
        }
        append(bytes, start, offset + length - start);
        return lines;
    }

    /** True when bytes of an unfinished line are waiting for the rest of it (Node: {@code channel.buffering}). */
    public boolean hasPartialLine() {
        return partial.size() > 0;
    }

    private void append(byte[] bytes, int offset, int length) throws ProtocolException {
        if (partial.size() + length > maxLineBytes) {
            throw new ProtocolException("line too long: more than " + maxLineBytes + " bytes without a '\\n' (the "
                    + "channel's limit, ChannelOptions.maxLineBytes); the peer sent a message over the limit or no line ends at all");
        }
        partial.write(bytes, offset, length);
    }
}
