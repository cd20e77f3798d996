package ipclab.lab05;

import java.io.IOException;

/** A byte stream that is not well framed: it ended inside a frame, or a length prefix is impossible. */
public final class FrameException extends IOException {

    public FrameException(String message) {
        super(message);
    }
}
