package ipclab.lab01;

/**
 * What a descriptor refers to, as the kernel shows it: the link text of {@code /proc/PID/fd/N}
 * together with the file type bits of the inode behind it.
 */
public enum FdKind {
    /** A regular file; the link is its path ({@code /tmp/x}, or {@code /tmp/x (deleted)} once unlinked). */
    FILE,
    /** A directory, opened for reading its entries; the link is its path. */
    DIRECTORY,
    /** An anonymous pipe from pipe(2); the link reads {@code pipe:[INODE]}. */
    PIPE,
    /** A named pipe (mkfifo(3)): a pipe with a path on disk; the link is that path. */
    FIFO,
    /** A socket of any family; the link reads {@code socket:[INODE]}. */
    SOCKET,
    /**
     * An object with no file behind it, such as epoll, eventfd, signalfd or timerfd; the link reads
     * {@code anon_inode:[eventpoll]} and the like. They all share one inode of the kernel's anon
     * inode file system, so an inode number says nothing about them.
     */
    ANON_INODE,
    /** A character device such as {@code /dev/null} or a terminal ({@code /dev/pts/0}). */
    CHAR_DEVICE,
    /** A block device such as a disk ({@code /dev/sda}). */
    BLOCK_DEVICE,
    /** Anything else: a kind of file this lab does not name. */
    OTHER
}
