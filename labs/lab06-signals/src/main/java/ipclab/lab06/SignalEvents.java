package ipclab.lab06;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signals delivered into an event loop, the self-pipe way: the handler only writes one byte (the
 * signal's number) into a pipe; the loop waits on the pipe's read end with poll(2), like on any
 * other descriptor, and acts on each signal in its own thread, at a moment it chooses.
 *
 * <pre>{@code
 * try (SignalEvents events = SignalEvents.open(SignalName.HUP, SignalName.TERM)) {
 *     while (true) {
 *         Optional<SignalName> s = events.next(Duration.ofSeconds(1));
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class SignalEvents implements AutoCloseable {

    private final int readFd;
    private final int writeFd;
    private final Map<SignalName, SignalHandler> previous = new EnumMap<>(SignalName.class);
    private volatile boolean closed;

    private SignalEvents(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /**
     * Makes the self-pipe and installs a handler for each signal that writes the signal's number,
     * as one byte, into it. Remembers each signal's previous handler for {@link #close()}.
     *
     * @throws IllegalArgumentException when the JVM keeps one of the signals for itself (USR2, QUIT, SEGV…)
     */
    public static SignalEvents open(SignalName... signals) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: make the self-pipe with Libc.pipe2(O_NONBLOCK | O_CLOEXEC) and install record() for each signal with sun.misc.Signal.handle, keeping the previous handlers");
    }

    /** The read end of the self-pipe: readable while a signal is waiting to be taken with {@link #next}. */
    public int readFd() {
        return readFd;
    }

    /**
     * The next signal, waiting up to {@code timeout} for one; empty when none came in time.
     * Each signal the handler recorded is returned once, in the order the handler ran.
     */
    public Optional<SignalName> next(Duration timeout) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: read one byte from the read end (EAGAIN: nothing yet), else wait with Libc.poll(readFd, POLLIN, ms) until the deadline");
    }

    /** Puts the previous handlers back, then closes both ends of the pipe. */
    @Override
    public void close() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: put the previous handlers back with Signal.handle, then close both pipe ends with Libc.close");
    }

    /** The handler: runs on a thread the JVM starts for this one signal, and only records it. */
    private void record(Signal signal) {
        throw new UnsupportedOperationException("TODO: write the signal number as one byte into the write end with Libc.write; ignore EAGAIN (pipe full)");
    }

    private void closeQuietly() {
        try {
            close();
        } catch (ErrnoException ignored) {
            // Cleaning up after a failed open: the open's own exception is the one to report.
        }
    }
}
