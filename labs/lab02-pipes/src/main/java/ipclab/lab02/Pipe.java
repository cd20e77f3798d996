package ipclab.lab02;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An anonymous pipe: one kernel buffer, a read end and a write end, each a descriptor of this
 * process. Made by {@code pipe2(2)}.
 *
 * <p>Each end is closed at most once. That matters more than it looks: once a descriptor is
 * closed, the kernel hands its number to the next {@code open}, {@code pipe2} or {@code socket}
 * of any thread, and a second {@code close} of the same number would close that stranger's
 * descriptor. So the pipe remembers which ends it has closed.
 *
 * <p>Not a record, though it holds two numbers: a record's components cannot change, and whether
 * an end is still open is exactly the state this class keeps.
 */
public final class Pipe implements AutoCloseable {

    private final int readFd;
    private final int writeFd;
    private final AtomicBoolean readEndOpen = new AtomicBoolean(true);
    private final AtomicBoolean writeEndOpen = new AtomicBoolean(true);

    private Pipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /**
     * Makes a new pipe with {@code pipe2(2)}.
     *
     * @param flags 0, or any of {@link Libc#O_CLOEXEC} and {@link Libc#O_NONBLOCK}; they apply to both ends
     */
    public static Pipe open(int flags) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: call pipe2(2) via Libc.pipe2(flags): element 0 is the read end, element 1 the write end");
    }

    /** The read end's descriptor number. */
    public int readFd() {
        if (!readEndOpen.get()) {
            throw new IllegalStateException("the read end (fd " + readFd + ") is closed; its number may belong to something else now");
        }
        return readFd;
    }

    /** The write end's descriptor number. */
    public int writeFd() {
        if (!writeEndOpen.get()) {
            throw new IllegalStateException("the write end (fd " + writeFd + ") is closed; its number may belong to something else now");
        }
        return writeFd;
    }

    public boolean readEndOpen() {
        return readEndOpen.get();
    }

    public boolean writeEndOpen() {
        return writeEndOpen.get();
    }

    /** Closes the read end, unless it is closed already. */
    public void closeReadEnd() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: close(2) the read end, but only the first time (readEndOpen remembers)");
    }

    /** Closes the write end, unless it is closed already. */
    public void closeWriteEnd() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: close(2) the write end, but only the first time (writeEndOpen remembers)");
    }

    /** Closes whichever ends are still open; closing twice is harmless. */
    @Override
    public void close() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: close whichever ends are still open, each at most once (closeWriteEnd, closeReadEnd)");
    }

    @Override
    public String toString() {
        return "pipe (read fd " + (readEndOpen.get() ? readFd : "closed")
                + ", write fd " + (writeEndOpen.get() ? writeFd : "closed") + ")";
    }
}
