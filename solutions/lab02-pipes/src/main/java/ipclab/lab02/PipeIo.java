package ipclab.lab02;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.ByteArrayOutputStream;

/**
 * Reading and writing a pipe's descriptors with {@code read(2)} and {@code write(2)} directly,
 * as a C program would: no Java streams in between.
 */
public final class PipeIo {

    /** How much one read(2) asks for: the default capacity of a pipe, so one call can empty it. */
    static final int READ_CHUNK = 64 * 1024;

    private PipeIo() {
    }

    /**
     * Writes every byte of {@code data} to {@code fd}. One write(2) may take fewer bytes than asked
     * (a signal arrived, or the last reader left half way), so this loops until all are written.
     *
     * @throws ErrnoException from write(2): {@code EPIPE} when no read end is open any more, so nobody
     *                        can ever read the bytes; {@code EAGAIN} on a full non-blocking pipe
     */
    public static void writeAll(int fd, byte[] data) throws ErrnoException {
        int written = 0;
        while (written < data.length) {
            written += Libc.write(fd, data, written, data.length - written);
        }
    }

    /**
     * Reads {@code fd} until end of file. On a pipe, read(2) returns 0 (end of file) only when the
     * pipe is empty <em>and</em> no write end is open anywhere, in any process; while one is, an
     * empty pipe makes read(2) wait. So this returns only after every write end has been closed.
     */
    public static byte[] readToEof(int fd) throws ErrnoException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[READ_CHUNK];
        int n;
        while ((n = Libc.read(fd, chunk, 0, chunk.length)) > 0) {
            all.write(chunk, 0, n);
        }
        return all.toByteArray();
    }

    /**
     * Writes one record with exactly one write(2), so that it reaches the pipe in one piece even
     * when other processes write to the same pipe at the same time.
     *
     * <p>POSIX promises that a write of at most {@link Libc#PIPE_BUF} bytes to a pipe is atomic: it
     * is never interleaved with other writers' data, and on a blocking pipe it is never cut short
     * (it waits until there is room for all of it). Longer writes have no such promise: the kernel
     * may copy part, wait for room, and let another writer in before copying the rest.
     *
     * @throws IllegalArgumentException when the record is longer than PIPE_BUF, since it could interleave
     * @throws ErrnoException           from write(2), e.g. {@code EPIPE} or, on a non-blocking pipe
     *                                  without room for the whole record, {@code EAGAIN}
     */
    public static void writeRecord(int fd, byte[] record) throws ErrnoException {
        if (record.length > Libc.PIPE_BUF) {
            throw new IllegalArgumentException("a record of " + record.length + " bytes is longer than PIPE_BUF ("
                    + Libc.PIPE_BUF + "): the kernel may split it and interleave the parts with other writers' data");
        }
        int written = Libc.write(fd, record, 0, record.length);
        if (written != record.length) {
            // POSIX rules this out for a pipe; it would mean fd is not a pipe at all (a socket, say).
            throw new IllegalStateException("write(fd " + fd + ") took only " + written + " of the record's "
                    + record.length + " bytes: is fd " + fd + " really a pipe?");
        }
    }
}
