package ipclab.lab09;

import java.io.IOException;

/**
 * The peer broke the channel's wire rules: a line that is not an envelope, a line over the limit,
 * a descriptor nobody announced. The channel reports it to its error listeners and closes: after a
 * broken line there is no telling where the next message starts.
 */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
