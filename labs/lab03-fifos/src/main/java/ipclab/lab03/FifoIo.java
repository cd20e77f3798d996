package ipclab.lab03;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;

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
        throw new UnsupportedOperationException("TODO: call write(2) (Libc.write) until every byte is written; let EPIPE out");
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
        throw new UnsupportedOperationException("TODO: refuse more than PIPE_BUF bytes (IllegalArgumentException), then exactly one write(2)");
    }

    /**
     * One read(2) of at most {@code maxBytes} from a non-blocking FIFO descriptor, and what it means.
     *
     * @return {@link ReadResult.Data} with the bytes read; {@link ReadResult.NothingYet} when read(2)
     *         failed with {@code EAGAIN}; {@link ReadResult.EndOfFile} when it returned 0
     * @throws ErrnoException any other failure of read(2)
     */
    public static ReadResult tryRead(int fd, int maxBytes) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: one read(2) of at most maxBytes: Data for bytes, NothingYet for EAGAIN, EndOfFile for 0");
    }
}
