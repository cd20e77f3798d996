package ipclab.lab09;

import java.io.IOException;
import java.time.Duration;

/** A handle-carrying message the peer never acknowledged, however often it was sent. */
public final class HandleNotAcknowledgedException extends IOException {

    private static final long serialVersionUID = 1L;

    public HandleNotAcknowledgedException(long seq, int attempts, Duration ackTimeout) {
        super("handle message #" + seq + " was sent " + attempts + " times and never acknowledged (waited "
                + ackTimeout.toMillis() + " ms for each ack): is the peer reading, and does its channel send "
                + "the ack when a message flagged \"handle\" arrives?");
    }
}
