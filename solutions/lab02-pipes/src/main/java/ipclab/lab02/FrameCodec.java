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
        if (payload.length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a payload of " + payload.length + " bytes is longer than the largest frame, "
                    + MAX_FRAME_BYTES + " bytes");
        }
        int length = payload.length;
        out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        out.write(payload);
    }

    /**
     * Reads one frame.
     *
     * @return the payload, or {@code null} when the stream ended cleanly, between two frames
     * @throws FrameException when the stream ends inside a frame, or a length is negative or larger
     *                        than {@link #MAX_FRAME_BYTES}
     */
    public static byte[] read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        if (header.length == 0) {
            return null; // end of stream where a frame would start: the writer is done
        }
        if (header.length < HEADER_BYTES) {
            throw new FrameException("the stream ended inside a frame's length prefix, after " + header.length
                    + " of " + HEADER_BYTES + " bytes: the writer stopped in the middle of a frame");
        }
        int length = (header[0] & 0xff) << 24 | (header[1] & 0xff) << 16 | (header[2] & 0xff) << 8 | (header[3] & 0xff);
        if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new FrameException("a frame's length prefix says " + Integer.toUnsignedString(length) + " bytes, more than the largest frame ("
                    + MAX_FRAME_BYTES + "): the stream is not framed this way, or reader and writer are out of step");
        }
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
            throw new FrameException("the stream ended inside a frame, after " + payload.length + " of its "
                    + length + " payload bytes: the writer stopped in the middle of a frame");
        }
        return payload;
    }
}
