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
        throw new UnsupportedOperationException("TODO: refuse payloads over MAX_FRAME_BYTES, then write(2) the 4-byte big-endian length and the payload, each until every byte is out");
    }

    /**
     * Reads one frame from a blocking channel, looping over partial reads.
     *
     * @return the payload, or {@code null} when the stream ended cleanly, between two frames
     * @throws FrameException when the stream ends inside a frame, or the length is negative or too large
     */
    public static byte[] read(ReadableByteChannel in) throws IOException {
        throw new UnsupportedOperationException("TODO: read(2) until the 4-byte length is in (null at a clean EOF), check it, then until the payload is in; FrameException for a broken frame");
    }

    /** Writes until nothing remains: a write(2) to a stream may take only part of the bytes. */
    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        throw new UnsupportedOperationException("TODO: call write(2) until the buffer has nothing remaining");
    }

    /** Reads until {@code into} is full or the stream ends; returns how many bytes it read. */
    private static int readFully(ReadableByteChannel in, ByteBuffer into) throws IOException {
        throw new UnsupportedOperationException("TODO: call read(2) until the buffer is full or read returns -1; return the bytes read");
    }
}
