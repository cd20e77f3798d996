package ipclab.lab09;

import java.io.IOException;

/**
 * A handle message the peer answered with NACK every time: its line arrived, its descriptor did not
 * (the receiver had no room for it, or it was lost to a truncated control message). Node gives up
 * the same way after {@code MAX_HANDLE_RETRANSMISSIONS} (3) re-sends, and warns
 * ({@code SentHandleNotReceivedWarning}, {@code lib/internal/child_process.js} 660–664).
 */
public final class HandleNotDeliveredException extends IOException {

    private static final long serialVersionUID = 1L;

    public HandleNotDeliveredException(int transmissions) {
        super("the handle message was NACKed " + transmissions + " times (sent once, re-sent " + (transmissions - 1)
                + " times): each time its line arrived without the descriptor; the messages held back behind it go on");
    }
}
