package ipclab.lab05;

/** The kinds of connected socket this lab compares, and whether each keeps message boundaries. */
public enum SocketKind {
    /** socketpair(AF_UNIX, SOCK_STREAM): bytes, like a pipe in both directions. */
    UNIX_STREAM(SocketCalls.SOCK_STREAM, false),
    /** socketpair(AF_UNIX, SOCK_DGRAM): messages; on Unix sockets also reliable and in order. */
    UNIX_DATAGRAM(SocketCalls.SOCK_DGRAM, true),
    /** socketpair(AF_UNIX, SOCK_SEQPACKET): messages over a connection, with end of file when the peer closes. */
    UNIX_SEQPACKET(SocketCalls.SOCK_SEQPACKET, true),
    /** TCP over the loopback interface (127.0.0.1): a byte stream through the whole IP stack. */
    TCP_LOOPBACK(-1, false);

    private final int unixType;
    private final boolean keepsMessageBoundaries;

    SocketKind(int unixType, boolean keepsMessageBoundaries) {
        this.unixType = unixType;
        this.keepsMessageBoundaries = keepsMessageBoundaries;
    }

    /** The type argument of socketpair(2); -1 for TCP, which has no socketpair. */
    public int unixType() {
        return unixType;
    }

    /** {@code true} when each write arrives as exactly one read. */
    public boolean keepsMessageBoundaries() {
        return keepsMessageBoundaries;
    }
}
