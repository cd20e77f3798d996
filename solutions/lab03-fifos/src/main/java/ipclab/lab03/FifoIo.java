package ipclab.lab03;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.util.Arrays;

/** Reading and writing FIFO descriptors with {@code read(2)} and {@code write(2)} directly. */
public final class FifoIo {

    private FifoIo() {
    }

    /**
     * Writes every byte of {@code data} to {@code fd}, looping over short writes. Writes longer than
     * {@link Libc#PIPE_BUF} are not atomic: with several writers, other writers' bytes may land in between.
     *
     * @throws ErrnoException from write(2), e.g. {@code EPIPE} when the last reader has gone
     */
    public static void writeAll(int fd, byte[] data) throws ErrnoException {
        int written = 0;
        while (written < data.length) {
            written += Libc.write(fd, data, written, data.length - written);
        }
    }

    /**
     * Writes one record of at most {@link Libc#PIPE_BUF} bytes with exactly one write(2), so that it
     * reaches the FIFO in one piece even while other processes write to it too.
     *
     * @throws IllegalArgumentException when the record is longer than PIPE_BUF (nothing is written then)
     * @throws ErrnoException           from write(2): {@code EPIPE} with no reader; on a non-blocking
     *                                  descriptor, {@code EAGAIN} when the whole record does not fit now
     */
    public static void writeRecord(int fd, byte[] record) throws ErrnoException {
        if (record.length > Libc.PIPE_BUF) {
            throw new IllegalArgumentException("a record of " + record.length + " bytes is longer than PIPE_BUF ("
                    + Libc.PIPE_BUF + "): the kernel may split it and interleave the parts with other writers' bytes");
        }
        int written = Libc.write(fd, record, 0, record.length);
        if (written != record.length) {
            // POSIX rules this out for a FIFO; it would mean fd is something else (a socket, a file on a full disk).
            throw new IllegalStateException("write(fd " + fd + ") took only " + written + " of the record's "
                    + record.length + " bytes: is fd " + fd + " really a FIFO?");
        }
    }

    /**
     * One read(2) of at most {@code maxBytes} from a non-blocking FIFO descriptor, and what it means.
     *
     * @return {@link ReadResult.Data} with the bytes read; {@link ReadResult.NothingYet} when read(2)
     *         failed with {@code EAGAIN}; {@link ReadResult.EndOfFile} when it returned 0
     * @throws ErrnoException any other failure of read(2)
     */
    public static ReadResult tryRead(int fd, int maxBytes) throws ErrnoException {
        byte[] buffer = new byte[maxBytes];
        int n;
        try {
            n = Libc.read(fd, buffer, 0, maxBytes);
        } catch (ErrnoException e) {
            if (e.is(Errno.EAGAIN)) {
                return new ReadResult.NothingYet();
            }
            throw e;
        }
        return n == 0 ? new ReadResult.EndOfFile() : new ReadResult.Data(Arrays.copyOf(buffer, n));
    }
}
