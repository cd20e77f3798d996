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
        // Both ends non-blocking: a handler must never wait (a full pipe means events are waiting
        // anyway, so dropping one byte loses nothing the loop will not see), and the loop reads
        // until EAGAIN. O_CLOEXEC: a program this process starts has no business with the pipe.
        int[] fds = Libc.pipe2(Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        SignalEvents events = new SignalEvents(fds[0], fds[1]);
        try {
            for (SignalName s : signals) {
                events.previous.put(s, Signal.handle(new Signal(s.name()), events::record));
            }
        } catch (RuntimeException e) {
            events.closeQuietly();
            throw e;
        }
        return events;
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
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] one = new byte[1];
        while (true) {
            try {
                if (Libc.read(readFd, one, 0, 1) == 1) {
                    return SignalName.of(one[0]);
                }
            } catch (ErrnoException e) {
                if (!e.is(Errno.EAGAIN)) {
                    throw e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            // Wait in the kernel until a handler writes, at most until the deadline.
            Libc.poll(readFd, Libc.POLLIN, (int) Math.max(1, Duration.ofNanos(left).toMillis()));
        }
    }

    /** Puts the previous handlers back, then closes both ends of the pipe. */
    @Override
    public void close() throws ErrnoException {
        if (closed) {
            return;
        }
        closed = true;
        // Handlers first: a signal arriving after this finds the old handler, never a closed pipe.
        previous.forEach((s, handler) -> Signal.handle(new Signal(s.name()), handler));
        previous.clear();
        try {
            Libc.close(writeFd);
        } finally {
            Libc.close(readFd);
        }
    }

    /** The handler: runs on a thread the JVM starts for this one signal, and only records it. */
    private void record(Signal signal) {
        if (closed) {
            return; // a late handler thread: the pipe's descriptor numbers may already be reused
        }
        try {
            Libc.write(writeFd, new byte[] {(byte) signal.getNumber()}, 0, 1);
        } catch (ErrnoException e) {
            // EAGAIN: the pipe is full of unread events, so the loop will wake anyway.
            // EBADF: closed in the meantime; nobody is listening any more.
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (ErrnoException ignored) {
            // Cleaning up after a failed open: the open's own exception is the one to report.
        }
    }
}
