package ipclab.lab08;

import java.io.IOException;

/**
 * recvmsg(2) set MSG_CTRUNC: the sender attached more descriptors than our control buffer had room
 * for. The kernel installed the ones that fit (we closed them) and closed the rest, so nothing leaked,
 * but the message's descriptors are lost.
 */
public final class ControlTruncatedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int delivered;

    public ControlTruncatedException(int roomFor, int delivered) {
        super("recvmsg: MSG_CTRUNC, the control buffer had room for " + roomFor + " descriptor(s) but the sender attached more; "
                + delivered + " arrived and were closed, the kernel closed the rest");
        this.delivered = delivered;
    }

    /** How many descriptors did arrive (and were closed) before the rest were dropped. */
    public int delivered() {
        return delivered;
    }
}
