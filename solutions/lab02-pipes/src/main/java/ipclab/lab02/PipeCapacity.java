package ipclab.lab02;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;

/**
 * How many bytes a pipe holds before a writer must wait: asked of the kernel, and measured.
 *
 * <p>A pipe's buffer is a ring of page-sized slots (16 pages, 65536 bytes, by default). The kernel
 * reports its size with {@code fcntl(F_GETPIPE_SZ)} and changes it with {@code fcntl(F_SETPIPE_SZ)}.
 */
public final class PipeCapacity {

    private PipeCapacity() {
    }

    /** The capacity the kernel reports for the pipe behind {@code fd} (either end): {@code fcntl(fd, F_GETPIPE_SZ)}. */
    public static int reported(int fd) throws ErrnoException {
        return Libc.fcntl(fd, Libc.F_GETPIPE_SZ);
    }

    /**
     * Asks the kernel to make the pipe behind {@code fd} hold {@code bytes}: {@code fcntl(fd, F_SETPIPE_SZ, bytes)}.
     * The kernel rounds the size up to a power-of-two number of pages.
     *
     * @return the capacity the pipe has now (what fcntl returns)
     * @throws ErrnoException {@code EBUSY} when the pipe holds more than the new size could keep;
     *                        {@code EPERM} above /proc/sys/fs/pipe-max-size without privilege
     */
    public static int resize(int fd, int bytes) throws ErrnoException {
        return Libc.fcntl(fd, Libc.F_SETPIPE_SZ, bytes);
    }

    /**
     * Writes into a non-blocking pipe until write(2) fails with {@code EAGAIN}, and counts what fit.
     *
     * <p>It writes {@link Libc#PIPE_BUF}-byte chunks. The size matters: each write that does not
     * fit into the part-filled last page starts a new page, so 1000-byte writes would leave 96 bytes
     * unused in every page and count only 64000. Chunks that fill a page exactly count every byte.
     *
     * @param writeFd the write end of a pipe opened with {@link Libc#O_NONBLOCK}
     * @return the number of bytes written before the pipe was full
     * @throws IllegalArgumentException when {@code writeFd} is blocking: the loop would wait for ever instead of seeing EAGAIN
     */
    public static int fillUntilFull(int writeFd) throws ErrnoException {
        if ((Libc.fcntl(writeFd, Libc.F_GETFL) & Libc.O_NONBLOCK) == 0) {
            throw new IllegalArgumentException("fd " + writeFd + " is blocking: writing to a full pipe would wait"
                    + " for a reader for ever instead of failing with EAGAIN; open the pipe with O_NONBLOCK");
        }
        byte[] chunk = new byte[Libc.PIPE_BUF];
        int total = 0;
        while (true) {
            try {
                total += Libc.write(writeFd, chunk, 0, chunk.length);
            } catch (ErrnoException e) {
                if (e.is(Errno.EAGAIN)) {
                    return total; // full: a blocking write would have waited here
                }
                throw e;
            }
        }
    }

    /** Measures the capacity of a new pipe by filling it: opens a non-blocking pipe, fills it, closes it. */
    public static int probe() throws ErrnoException {
        try (Pipe pipe = Pipe.open(Libc.O_NONBLOCK | Libc.O_CLOEXEC)) {
            return fillUntilFull(pipe.writeFd());
        }
    }
}
