package ipclab.lab09;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the byte stream of a stream socket back into lines. A read(2) returns whatever bytes have
 * arrived: half a line, three lines and a bit. The splitter keeps the unfinished tail for the next
 * read, and refuses to keep more than the limit, so a peer that never sends '\n' cannot make us
 * buffer without end.
 */
public final class LineSplitter {

    private final int maxLineBytes;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    public LineSplitter(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Adds {@code count} bytes read from the socket and returns the lines they complete, in order,
     * without their '\n'.
     *
     * @throws ProtocolException when a line grows longer than the limit, naming the limit
     */
    public List<byte[]> feed(byte[] bytes, int count) throws ProtocolException {
        throw new UnsupportedOperationException("TODO: cut the bytes at each '\n' into complete lines, keep the unfinished tail for the next read(2)");
    }

    /** True when bytes of an unfinished line are waiting for the rest of it. */
    public boolean hasPartialLine() {
        return partial.size() > 0;
    }

    private void append(byte[] bytes, int offset, int length) throws ProtocolException {
        throw new UnsupportedOperationException("TODO: add to the unfinished line, but throw ProtocolException naming maxLineBytes when it would grow past the limit");
    }
}
