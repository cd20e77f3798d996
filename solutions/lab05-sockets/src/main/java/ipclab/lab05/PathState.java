package ipclab.lab05;

/** What is at a path where a server wants to listen. */
public enum PathState {
    /** Nothing: bind(2) will create the socket file. */
    ABSENT,
    /** A socket file with a server behind it: connect(2) succeeds. It is not ours to take. */
    LIVE,
    /** A socket file nobody listens on any more: connect(2) fails with ECONNREFUSED. Safe to remove. */
    STALE,
    /** Some other file (a regular file, a directory, a FIFO): never remove it. */
    NOT_A_SOCKET
}
