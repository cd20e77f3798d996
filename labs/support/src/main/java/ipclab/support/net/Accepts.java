package ipclab.support.net;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.loop.Timer;
import ipclab.support.loop.Watch;
import java.time.Duration;

/**
 * Accepting on a watched listener without ever stopping for good. {@link Sockets#accept4} throws
 * when the process or the system is out of descriptors or memory ({@code EMFILE}, {@code ENFILE},
 * {@code ENOBUFS}, {@code ENOMEM}); thrown from a handler, that would end the listener's watch, and
 * the server would stay in LISTEN with nobody accepting: every client from then on hangs.
 *
 * <p>Those errors pass: a connection closes, a descriptor is freed. So {@link #next} pauses the
 * watch instead (the connection stays in the kernel's accept queue; a level-triggered watch would
 * otherwise wake the loop again at once, for the same failure) and resumes it after {@link #PAUSE}.
 * libuv keeps its watch too, but sheds the load: it closes a descriptor it holds in reserve, accepts
 * and closes every waiting connection (their clients read EOF rather than wait), and opens the
 * reserve again ({@code uv__emfile_trick}, {@code src/unix/stream.c} 521–525 of v1.46.0). Given code.
 */
public final class Accepts {

    /** How long a listener rests after the process ran out of descriptors or memory, before it tries again. */
    public static final Duration PAUSE = Duration.ofMillis(100);

    static {
        // Out of descriptors, the JVM cannot open a class file either (NoClassDefFoundError): load
        // now, while there are some, what describing the failure and scheduling the retry will need.
        new ErrnoException("accept4", "loading", Errno.EMFILE.code()).getMessage();
        Timer.class.getName();
    }

    private Accepts() {
    }

    /**
     * The next connection waiting on {@code listener}'s non-blocking socket, as {@link Sockets#accept4}
     * gives it, or -1 when there is none to take now: none is waiting ({@code EAGAIN}), or the process
     * is out of descriptors or memory, and the watch is paused for {@link #PAUSE}. Call it on the
     * watch's loop thread (from its handler), until it answers -1 or your batch is done.
     *
     * @throws ErrnoException for any other failure of accept4(2), such as EBADF or EINVAL: a listener
     *                        that is not one, a bug rather than a passing shortage
     */
    public static int next(Watch listener, int flags) throws ErrnoException {
        try {
            return Sockets.accept4(listener.fd(), flags);
        } catch (ErrnoException e) {
            if (!passes(e.errno())) {
                throw e;
            }
            pause(listener, e);
            return -1;
        }
    }

    private static boolean passes(Errno errno) {
        return errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM;
    }

    private static void pause(Watch listener, ErrnoException why) throws ErrnoException {
        int interest = listener.interest();
        if (interest == 0) {
            return; // paused already
        }
        System.err.println(why.getMessage() + "; the listener rests for " + PAUSE.toMillis() + " ms, its clients wait in the accept queue");
        listener.interest(0);
        listener.loop().schedule(PAUSE, () -> {
            if (listener.isActive() && listener.interest() == 0) {
                try {
                    listener.interest(interest);
                } catch (ErrnoException e) {
                    throw new IllegalStateException("resuming " + listener + " after a shortage", e);
                }
            }
        });
    }
}
