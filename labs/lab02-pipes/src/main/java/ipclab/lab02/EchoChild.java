package ipclab.lab02;

import java.io.IOException;

/**
 * The child end of a {@link MessageChannel}: reads frames from stdin and writes each one back,
 * unchanged, to stdout. Exits with status 0 when stdin ends cleanly between frames (the parent
 * closed its end: it is done), and with status 2 when the stream is not well framed.
 */
public final class EchoChild {

    /** The exit status for a stream that is not well framed. */
    public static final int BAD_FRAME_EXIT = 2;

    private EchoChild() {
    }

    public static void main(String[] args) throws IOException {
        throw new UnsupportedOperationException("TODO: read frames from stdin (fd 0), write each back to stdout (fd 1) and flush; exit 0 at a clean end, BAD_FRAME_EXIT on a FrameException");
    }
}
