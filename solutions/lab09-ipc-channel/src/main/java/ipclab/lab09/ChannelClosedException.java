package ipclab.lab09;

import java.io.IOException;

/** Work that needed the channel (a send waiting for its ack, a call waiting for its answer) outlived it. */
public final class ChannelClosedException extends IOException {

    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message) {
        super(message);
    }
}
