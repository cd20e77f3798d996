package ipclab.lab03;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Named pipes: making them with {@code mkfifo(3)} and opening them with {@code open(2)}.
 *
 * <p>A FIFO is a pipe with a name in the file system. Any process that may open the name gets a
 * descriptor for the same kernel pipe, so two processes that share nothing but a path can talk.
 * The bytes never touch the disk; the file only names the pipe.
 *
 * <p>Opening is where a FIFO differs from a file. A blocking open for reading waits until some
 * process opens the FIFO for writing, and the reverse. With {@code O_NONBLOCK}, an open for reading
 * succeeds at once, and an open for writing fails with {@code ENXIO} when nobody has it open for reading.
 * Every descriptor opened here is close-on-exec ({@code O_CLOEXEC}).
 */
public final class Fifo {

    /** Permission bits {@code rw-------}: only the owner may open the FIFO. */
    public static final int OWNER_ONLY = 0600;

    /** The file type bits of {@code st_mode} ({@code S_IFMT}) and the type of a FIFO ({@code S_IFIFO}). */
    static final int S_IFMT = 0170000;
    static final int S_IFIFO = 0010000;

    private Fifo() {
    }

    /**
     * Makes a FIFO at {@code path} with {@code mkfifo(3)}. The permission bits are {@code mode} less
     * the process's umask, as for any new file.
     *
     * @throws ErrnoException {@code EEXIST} when something already has that name
     */
    public static void create(Path path, int mode) throws ErrnoException {
        Libc.mkfifo(path, mode);
    }

    /**
     * Opens the FIFO for reading, and waits until some process opens it for writing. Then both
     * opens complete together.
     */
    public static int openForReading(Path path) throws ErrnoException {
        return Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
    }

    /**
     * Opens the FIFO for writing, and waits until some process opens it for reading. Then both
     * opens complete together.
     */
    public static int openForWriting(Path path) throws ErrnoException {
        return Libc.open(path, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
    }

    /**
     * Opens the FIFO for reading without waiting: it succeeds at once, writer or not. The descriptor
     * stays non-blocking: read(2) fails with {@code EAGAIN} while a writer exists and nothing is
     * there, and returns 0 (end of file) while no writer exists.
     */
    public static int openForReadingNonBlocking(Path path) throws ErrnoException {
        return Libc.open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
    }

    /**
     * Opens the FIFO for writing without waiting. The descriptor stays non-blocking: a write(2)
     * that does not fit fails with {@code EAGAIN} instead of waiting.
     *
     * @throws ErrnoException {@code ENXIO} when no process has the FIFO open for reading (a blocking
     *                        open would wait for one; this one refuses, since bytes written now would
     *                        have no reader)
     */
    public static int openForWritingNonBlocking(Path path) throws ErrnoException {
        return Libc.open(path, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
    }

    /**
     * Makes {@code fd} blocking again: clears {@code O_NONBLOCK} in its open file description's
     * status flags ({@code fcntl F_GETFL}, then {@code F_SETFL} without the bit). The other flags stay.
     */
    public static void clearNonBlocking(int fd) throws ErrnoException {
        int flags = Libc.fcntl(fd, Libc.F_GETFL);
        Libc.fcntl(fd, Libc.F_SETFL, flags & ~Libc.O_NONBLOCK);
    }

    /**
     * {@code true} when {@code path} names a FIFO itself (not a symbolic link to one): its
     * {@code st_mode} file type is {@code S_IFIFO}, the {@code p} in {@code ls -l}.
     */
    public static boolean isFifo(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFIFO;
        } catch (IOException e) {
            return false; // no such file, or not ours to look at: not a FIFO we can use
        }
    }
}
