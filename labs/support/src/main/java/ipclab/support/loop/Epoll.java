package ipclab.support.loop;

import ipclab.support.Downcall;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One epoll(7) instance, through the Foreign Function &amp; Memory API: the kernel's list of
 * descriptors we are interested in (changed with {@code epoll_ctl}) and a wait for those that are
 * ready ({@code epoll_wait}), which fills an array of {@code struct epoll_event}.
 *
 * <p>Written like {@code Libc}: handles from {@code CLibrary}, calls through {@code Downcall}. The
 * native memory (the event array, the one event {@code epoll_ctl} reads, the timeout) is allocated
 * once, here, and reused by every call. Only {@link EventLoop} uses this class, from one thread at a
 * time.
 */
final class Epoll implements AutoCloseable {

    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    /** Linux 4.5: of several epoll instances waiting on one descriptor, wake one, not all (the thundering herd). */
    static final int EPOLLEXCLUSIVE = 1 << 28;

    private static final int EPOLL_CLOEXEC = 02000000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    /**
     * {@code struct epoll_event { uint32_t events; epoll_data_t data; }}, where {@code data} is a
     * 64-bit union. glibc declares it {@code __EPOLL_PACKED} on x86-64 only, to match the kernel's
     * 32-bit-era layout there: 12 bytes, {@code data} at offset 4, unaligned. Everywhere else
     * (aarch64 included) it has natural alignment: 16 bytes, {@code data} at offset 8.
     */
    private static final boolean PACKED = isX86_64(System.getProperty("os.arch"));
    static final long EVENT_BYTES = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    /** int epoll_create1(int flags) */
    private static final MethodHandle EPOLL_CREATE1 = LIBC.function("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) */
    private static final MethodHandle EPOLL_CTL = LIBC.function("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout_ms) */
    private static final MethodHandle EPOLL_WAIT = LIBC.function("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /**
     * int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents, const struct timespec *timeout,
     * const sigset_t *sigmask): epoll_wait with a timeout in nanoseconds (Linux 5.11, glibc 2.35), or
     * null when this C library lacks it.
     */
    private static final MethodHandle EPOLL_PWAIT2 = optional("epoll_pwait2",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));

    private final int fd;
    private final int capacity;
    private final Arena memory = Arena.ofShared();
    private final MemorySegment readyEvents;
    private final MemorySegment change;
    /** struct timespec { time_t tv_sec; long tv_nsec; }, for epoll_pwait2. */
    private final MemorySegment timespec;
    private boolean nanosecondTimeouts = EPOLL_PWAIT2 != null;

    /** A new epoll instance whose waits report at most {@code capacity} ready descriptors each. */
    Epoll(int capacity) throws ErrnoException {
        this.capacity = capacity;
        this.fd = (int) Downcall.retryingEintr("epoll_create1", "EPOLL_CLOEXEC",
                state -> (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC));
        this.readyEvents = memory.allocate(EVENT_BYTES * capacity, 8);
        this.change = memory.allocate(EVENT_BYTES, 8);
        this.timespec = memory.allocate(16, 8);
    }

    /** The epoll instance's own descriptor. */
    int fd() {
        return fd;
    }

    /** EPOLL_CTL_ADD: start watching {@code target} for {@code events}; the kernel hands {@code data} back with each event. */
    void add(int target, int events, long data) throws ErrnoException {
        control(EPOLL_CTL_ADD, "EPOLL_CTL_ADD", target, events, data);
    }

    /** EPOLL_CTL_MOD: other events for a descriptor already added (refused for one added with EPOLLEXCLUSIVE). */
    void modify(int target, int events, long data) throws ErrnoException {
        control(EPOLL_CTL_MOD, "EPOLL_CTL_MOD", target, events, data);
    }

    /** EPOLL_CTL_DEL: stop watching {@code target}. The descriptor itself stays open. */
    void remove(int target) throws ErrnoException {
        control(EPOLL_CTL_DEL, "EPOLL_CTL_DEL", target, 0, 0);
    }

    /** EPOLL_CTL_DEL for a descriptor that may no longer be open or added: failures are expected and ignored. */
    void removeQuietly(int target) {
        change.fill((byte) 0);
        Downcall.attempt("epoll_ctl", state -> (int) EPOLL_CTL.invokeExact(state, fd, EPOLL_CTL_DEL, target, change));
    }

    private void control(int operation, String name, int target, int events, long data) throws ErrnoException {
        change.set(JAVA_INT, 0, events);
        change.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        Downcall.retryingEintr("epoll_ctl", name + ", epoll fd " + fd + ", fd " + target,
                state -> (int) EPOLL_CTL.invokeExact(state, fd, operation, target, change));
    }

    /**
     * Waits until at least one watched descriptor is ready or {@code timeoutNanos} have passed (0: only
     * look; negative: no limit), and returns how many events {@link #events} and {@link #data} now
     * hold. A signal handler that interrupts the wait (EINTR) makes it return 0, early: the caller
     * works out its timeout again anyway.
     *
     * <p>epoll_wait counts in milliseconds, so a timeout is rounded <em>up</em> to a whole one (as
     * libuv does): rounded down, the wait would end just before the timer is due and the loop would
     * spin until it is. Where the kernel and the C library have epoll_pwait2, the timeout is exact.
     */
    int await(long timeoutNanos) throws ErrnoException {
        Downcall.Outcome outcome = nanosecondTimeouts ? awaitNanos(timeoutNanos) : null;
        if (outcome != null && (outcome.is(Errno.ENOSYS) || outcome.is(Errno.EPERM))) {
            // ENOSYS: a kernel before 5.11. EPERM: a container's seccomp filter that predates the call.
            nanosecondTimeouts = false;
            outcome = null;
        }
        if (outcome == null) {
            int millis = timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(timeoutNanos, NANOS_PER_MILLI));
            outcome = Downcall.attempt("epoll_wait",
                    state -> (int) EPOLL_WAIT.invokeExact(state, fd, readyEvents, capacity, millis));
        }
        if (outcome.is(Errno.EINTR)) {
            return 0;
        }
        if (outcome.failed()) {
            throw outcome.exception("epoll fd " + fd);
        }
        return (int) outcome.result();
    }

    private Downcall.Outcome awaitNanos(long timeoutNanos) {
        MemorySegment timeout = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            timespec.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            timeout = timespec;
        }
        MemorySegment limit = timeout;
        return Downcall.attempt("epoll_pwait2",
                state -> (int) EPOLL_PWAIT2.invokeExact(state, fd, readyEvents, capacity, limit, MemorySegment.NULL));
    }

    /** The events of the {@code i}-th ready descriptor of the last {@link #await}. */
    int events(int i) {
        return readyEvents.get(JAVA_INT, i * EVENT_BYTES);
    }

    /** The {@code data} its watcher registered with it. */
    long data(int i) {
        return readyEvents.get(JAVA_LONG_UNALIGNED, i * EVENT_BYTES + DATA_OFFSET);
    }

    /** Closes the epoll instance and frees its memory. Descriptors it watched are not touched. */
    @Override
    public void close() throws ErrnoException {
        try {
            Libc.close(fd);
        } finally {
            memory.close();
        }
    }

    static boolean isX86_64(String osArch) {
        return "amd64".equals(osArch) || "x86_64".equals(osArch);
    }

    private static MethodHandle optional(String name, FunctionDescriptor signature) {
        try {
            return LIBC.function(name, signature);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }
}
