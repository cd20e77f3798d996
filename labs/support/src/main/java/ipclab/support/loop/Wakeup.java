package ipclab.support.loop;

import ipclab.support.Downcall;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How another thread wakes the loop out of {@code epoll_wait}: an eventfd(2), a kernel counter that
 * is readable while it is not zero. The loop watches it like any descriptor; a thread that queued a
 * task adds 1 to it; the loop reads it back to 0. libuv's {@code uv_async_t} works the same way, and
 * so does the JDK's {@code EPollSelectorImpl.wakeup()}.
 *
 * <p>A write is a system call, so it is made only when the loop may be asleep: {@link #awake} is
 * cleared just before the loop decides how long to sleep, and only the thread that sets it again
 * writes. However many tasks arrive during one sleep, the eventfd is written once.
 */
final class Wakeup implements AutoCloseable {

    private static final int EFD_CLOEXEC = 02000000;
    private static final int EFD_NONBLOCK = 04000;

    /** int eventfd(unsigned int initval, int flags) */
    private static final MethodHandle EVENTFD = LIBC.function("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final int fd;
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final Arena memory = Arena.ofShared();
    /** The 8 bytes every wake-up writes: the number 1. */
    private final MemorySegment one = memory.allocate(JAVA_LONG);
    /** Where the loop reads the counter into, and forgets it. */
    private final MemorySegment count = memory.allocate(JAVA_LONG);
    private boolean closed;

    Wakeup() throws ErrnoException {
        fd = (int) Downcall.retryingEintr("eventfd", "EFD_CLOEXEC|EFD_NONBLOCK",
                state -> (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK));
        one.set(JAVA_LONG, 0, 1L);
    }

    int fd() {
        return fd;
    }

    /**
     * The loop, before it looks for queued tasks and works out its timeout: from now on, a thread
     * that queues a task must write. (Set after that look, a task queued in between would wait for
     * the next event or timer.)
     */
    void mayFallAsleep() {
        awake.set(false);
    }

    /** The loop, as epoll_wait returns: tasks queued from now on are seen before it sleeps again. */
    void awoke() {
        awake.set(true);
    }

    /** Any thread, after queuing a task: wakes the loop if it may be asleep and nobody has woken it yet. */
    void wake() {
        if (awake.compareAndSet(false, true)) {
            synchronized (this) {
                // The lock keeps close() from freeing the descriptor in the middle of this write.
                if (!closed) {
                    try {
                        Libc.write(fd, one, Long.BYTES);
                    } catch (ErrnoException e) {
                        throw new IllegalStateException("could not wake the event loop", e);
                    }
                }
            }
        }
    }

    /** The loop, when the eventfd is readable: reads the counter back to 0. */
    void drain() throws ErrnoException {
        try {
            Libc.read(fd, count, Long.BYTES);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EAGAIN)) { // EAGAIN: it was 0 already, which only a spurious report can cause
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() throws ErrnoException {
        if (!closed) {
            closed = true;
            try {
                Libc.close(fd);
            } finally {
                memory.close();
            }
        }
    }
}
