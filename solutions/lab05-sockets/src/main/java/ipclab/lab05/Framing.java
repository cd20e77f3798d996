package ipclab.lab05;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Messages over a stream socket: each message is a <em>frame</em>, a 4-byte big-endian length and
 * then the payload. A stream keeps no boundaries, so a read(2) may return half a length prefix, or
 * the end of one frame and the start of the next, and a write(2) may take only part of what it is
 * given. Both directions therefore loop until the whole frame has passed.
 */
public final class Framing {

    /** The largest payload accepted: a corrupt length must not make the reader allocate gigabytes. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** The size of the length prefix. */
    public static final int HEADER_BYTES = 4;

    private Framing() {
    }

    /**
     * Writes one frame to a blocking channel: the length, then the payload, looping over partial writes.
     *
     * @throws IllegalArgumentException when the payload is longer than {@link #MAX_FRAME_BYTES}
     */
    public static void write(WritableByteChannel out, byte[] payload) throws IOException {
        if (payload.length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a payload of " + payload.length + " bytes is longer than the largest frame, "
                    + MAX_FRAME_BYTES + " bytes");
        }
        writeFully(out, ByteBuffer.allocate(HEADER_BYTES).putInt(0, payload.length));
        writeFully(out, ByteBuffer.wrap(payload));
    }

    /**
     * Reads one frame from a blocking channel, looping over partial reads.
     *
     * @return the payload, or {@code null} when the stream ended cleanly, between two frames
     * @throws FrameException when the stream ends inside a frame, or the length is negative or too large
     */
    public static byte[] read(ReadableByteChannel in) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        int got = readFully(in, header);
        if (got == 0) {
            return null; // end of stream where a frame would start: the peer is done
        }
        if (got < HEADER_BYTES) {
            throw new FrameException("the stream ended inside a frame's length prefix, after " + got + " of "
                    + HEADER_BYTES + " bytes: the peer stopped in the middle of a frame");
        }
        int length = header.getInt(0);
        if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new FrameException("a frame's length prefix says " + Integer.toUnsignedString(length)
                    + " bytes, more than the largest frame (" + MAX_FRAME_BYTES + "): the peer does not frame this way,"
                    + " or the two sides are out of step");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        got = readFully(in, payload);
        if (got < length) {
            throw new FrameException("the stream ended inside a frame, after " + got + " of its " + length
                    + " payload bytes: the peer stopped in the middle of a frame");
        }
        return payload.array();
    }

    /** Writes until nothing remains: a write(2) to a stream may take only part of the bytes. */
    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** Reads until {@code into} is full or the stream ends; returns how many bytes it read. */
    private static int readFully(ReadableByteChannel in, ByteBuffer into) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int n = in.read(into);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
