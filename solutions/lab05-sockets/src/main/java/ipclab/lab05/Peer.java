package ipclab.lab05;

/** Who is at the other end of a Unix socket, as the kernel recorded it at connect(2) time (SO_PEERCRED). */
public record Peer(long pid, long uid, long gid) {
}
