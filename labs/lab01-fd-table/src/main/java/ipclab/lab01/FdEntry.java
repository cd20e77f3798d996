package ipclab.lab01;

import ipclab.support.Libc;

/**
 * One row of a process's descriptor table, as {@code /proc/PID/fd/N} and {@code /proc/PID/fdinfo/N}
 * show it.
 *
 * <p>Three tables stand behind a descriptor. The number {@code fd} lives in the process's own
 * descriptor table. It points to an <em>open file description</em>, created by one open(2) and
 * shared by every dup of it, which holds the {@code offset} and the status {@code flags}. That in
 * turn points to an <em>inode</em>, the file itself, shared by everyone who opened it.
 *
 * @param fd     the descriptor number, private to the process
 * @param kind   what the descriptor refers to
 * @param target the link text of {@code /proc/PID/fd/N}: a path, {@code pipe:[12345]}, {@code socket:[678]}, ...
 * @param inode  the inode number ({@code ino:} in fdinfo)
 * @param offset the file offset of the open file description ({@code pos:} in fdinfo); 0 for pipes and sockets
 * @param flags  {@code flags:} in fdinfo: the access mode and status flags of the open file description,
 *               plus {@link Libc#O_CLOEXEC} when this descriptor has {@code FD_CLOEXEC} set. The kernel
 *               also shows {@code O_LARGEFILE} here (0100000 on x86-64), set on every open by a 64-bit process.
 */
public record FdEntry(int fd, FdKind kind, String target, long inode, long offset, int flags) {

    /** The access mode an open file description was opened with: the two lowest bits of the flags. */
    public enum AccessMode {
        /** {@link Libc#O_RDONLY} (0). */
        READ_ONLY,
        /** {@link Libc#O_WRONLY} (1). */
        WRITE_ONLY,
        /** {@link Libc#O_RDWR} (2). */
        READ_WRITE
    }

    /**
     * The access mode. It is a two-bit number, not a set of bit flags: {@code O_RDONLY} is 0, so
     * "{@code flags & O_RDONLY}" is always 0 and tests nothing. Mask with {@link Libc#O_ACCMODE} first.
     */
    public AccessMode accessMode() {
        throw new UnsupportedOperationException("TODO: mask flags with O_ACCMODE (a 2-bit number, not a bit flag) and map 0, 1, 2 to READ_ONLY, WRITE_ONLY, READ_WRITE");
    }

    /** {@code O_APPEND}: every write goes to the end of the file, whatever the offset. Shared by all dups. */
    public boolean append() {
        throw new UnsupportedOperationException("TODO: test the O_APPEND bit of flags (the status flags fcntl(F_GETFL) reports)");
    }

    /** {@code O_NONBLOCK}: calls that would wait fail with EAGAIN instead. Shared by all dups. */
    public boolean nonBlocking() {
        throw new UnsupportedOperationException("TODO: test the O_NONBLOCK bit of flags (set by open(2) or fcntl(F_SETFL))");
    }

    /**
     * {@code FD_CLOEXEC}: exec(2) closes this descriptor. It belongs to the descriptor, not to the
     * open file description; fdinfo reports it among the flags as {@code O_CLOEXEC}.
     */
    public boolean closeOnExec() {
        throw new UnsupportedOperationException("TODO: test the O_CLOEXEC bit of flags (fdinfo shows FD_CLOEXEC, from fcntl(F_GETFD), as O_CLOEXEC)");
    }
}
