package ipclab.lab02;

import java.io.IOException;

/**
 * A stream that does not hold well-formed frames: it ended inside a frame, or a length prefix is
 * out of range. Either way the two sides are out of step, and the channel cannot be trusted any more.
 */
public final class FrameException extends IOException {

    public FrameException(String message) {
        super(message);
    }
}
