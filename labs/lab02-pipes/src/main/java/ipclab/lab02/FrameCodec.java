package ipclab.lab02;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Messages over a byte stream: a pipe keeps no message boundaries (two writes may arrive as one
 * read, one write as several reads), so each message travels as a <em>frame</em>: its length as
 * 4 bytes, big-endian (network byte order), then the payload, which may hold any byte values.
 *
 * <pre>
 *   ┌──────────────┬──────────────────────────┐
 *   │ length (4 B) │ payload (length bytes)   │  ... next frame
 *   └──────────────┴──────────────────────────┘
 * </pre>
 */
public final class FrameCodec {

    /** The largest payload a frame may carry: a bound on what a corrupt length can make the reader allocate. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** The size of the length prefix. */
    public static final int HEADER_BYTES = 4;

    private FrameCodec() {
    }

    /**
     * Writes one frame: the 4-byte big-endian length of {@code payload}, then the payload. Does not
     * flush: a caller that wants the frame to leave now flushes the stream.
     *
     * @throws IllegalArgumentException when the payload is longer than {@link #MAX_FRAME_BYTES}
     */
    public static void write(OutputStream out, byte[] payload) throws IOException {
        throw new UnsupportedOperationException("TODO: check the size, then write the 4-byte big-endian length and the payload (no flush)");
    }

    /**
     * Reads one frame.
     *
     * @return the payload, or {@code null} when the stream ended cleanly, between two frames
     * @throws FrameException when the stream ends inside a frame, or a length is negative or larger
     *                        than {@link #MAX_FRAME_BYTES}
     */
    public static byte[] read(InputStream in) throws IOException {
        throw new UnsupportedOperationException("TODO: read the 4-byte length and then the payload; null at a clean end of stream, FrameException for a broken frame");
    }
}
