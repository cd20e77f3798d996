package ipclab.lab07;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.time.Instant;

/**
 * The POSIX message queue calls of mq_overview(7), through the Foreign Function &amp; Memory API.
 * Given code: a lab-local binding in the style of {@link ipclab.support.Libc}; every failure is an
 * {@link ErrnoException} that names the call, the queue and the errno.
 *
 * <p>On Linux a message queue descriptor ({@code mqd_t}) is a file descriptor: it shows up in
 * {@code /proc/PID/fd} as {@code /NAME} on the mqueue filesystem, and {@code close} frees it like any other.
 * glibc 2.34 and later have these functions in libc.so.6; older ones keep them in librt.so.1.
 */
public final class MqCalls {

    /** struct mq_attr { long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs; long __pad[4]; } */
    static final long ATTR_SIZE = 8 * 8;
    private static final long FLAGS = 0;
    private static final long MAXMSG = 8;
    private static final long MSGSIZE = 16;
    private static final long CURMSGS = 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = lookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** mqd_t mq_open(const char *name, int oflag, ...): the two optional arguments are mode_t mode and struct mq_attr *attr. */
    private static final MethodHandle MQ_OPEN = LINKER.downcallHandle(find("mq_open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MQ_SEND = function("mq_send", JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle MQ_RECEIVE = function("mq_receive", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle MQ_TIMEDRECEIVE =
            function("mq_timedreceive", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    private static final MethodHandle MQ_GETATTR = function("mq_getattr", JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle MQ_CLOSE = function("mq_close", JAVA_INT, JAVA_INT);
    private static final MethodHandle MQ_UNLINK = function("mq_unlink", JAVA_INT, ADDRESS);

    private MqCalls() {
    }

    /**
     * mq_open(3): opens (with {@code O_CREAT}: creates) the queue {@code name}, which must look like
     * {@code /something} with no further slash.
     *
     * @param maxMessages  mq_maxmsg of a new queue, or 0 for the system default (/proc/sys/fs/mqueue/msg_default)
     * @param messageSize  mq_msgsize of a new queue, or 0 for the system default (/proc/sys/fs/mqueue/msgsize_default)
     * @return the message queue descriptor
     */
    public static int open(String name, int oflag, int mode, long maxMessages, long messageSize) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            MemorySegment attr = MemorySegment.NULL;
            if (maxMessages > 0 || messageSize > 0) {
                if (maxMessages <= 0 || messageSize <= 0) {
                    throw new IllegalArgumentException("give both mq_maxmsg and mq_msgsize, or neither: "
                            + maxMessages + ", " + messageSize);
                }
                attr = arena.allocate(ATTR_SIZE, 8);
                attr.set(JAVA_LONG, MAXMSG, maxMessages);
                attr.set(JAVA_LONG, MSGSIZE, messageSize);
            }
            MemorySegment attrArgument = attr;
            return (int) call("mq_open", name, state -> (int) MQ_OPEN.invokeExact(state, cName, oflag, mode, attrArgument));
        }
    }

    /** mq_send(3): puts {@code length} bytes of {@code message} into the queue with a priority (0 = lowest). */
    public static void send(int mqd, MemorySegment message, long length, int priority) throws ErrnoException {
        call("mq_send", "mqd " + mqd, state -> (int) MQ_SEND.invokeExact(state, mqd, message, length, priority));
    }

    /**
     * mq_receive(3): takes the oldest message of the highest priority.
     *
     * @param buffer   at least mq_msgsize bytes long, or the call fails with EMSGSIZE
     * @param priority 4 bytes where the message's priority is stored
     * @return the message's length
     */
    public static long receive(int mqd, MemorySegment buffer, MemorySegment priority) throws ErrnoException {
        return call("mq_receive", "mqd " + mqd,
                state -> (long) MQ_RECEIVE.invokeExact(state, mqd, buffer, buffer.byteSize(), priority));
    }

    /**
     * mq_timedreceive(3): as {@link #receive}, but when the queue stays empty until {@code deadline}
     * (an absolute time on CLOCK_REALTIME, as the call wants) it fails with ETIMEDOUT.
     */
    public static long timedReceive(int mqd, MemorySegment buffer, MemorySegment priority, Instant deadline)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct timespec { time_t tv_sec; long tv_nsec; }
            MemorySegment timespec = arena.allocate(16, 8);
            timespec.set(JAVA_LONG, 0, deadline.getEpochSecond());
            timespec.set(JAVA_LONG, 8, deadline.getNano());
            return call("mq_timedreceive", "mqd " + mqd, state -> (long) MQ_TIMEDRECEIVE.invokeExact(
                    state, mqd, buffer, buffer.byteSize(), priority, timespec));
        }
    }

    /** mq_getattr(3): the queue's flags (O_NONBLOCK of this descriptor), limits and current number of messages. */
    public static QueueAttributes getattr(int mqd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            call("mq_getattr", "mqd " + mqd, state -> (int) MQ_GETATTR.invokeExact(state, mqd, attr));
            return new QueueAttributes(attr.get(JAVA_LONG, FLAGS), attr.get(JAVA_LONG, MAXMSG),
                    attr.get(JAVA_LONG, MSGSIZE), attr.get(JAVA_LONG, CURMSGS));
        }
    }

    /** mq_close(3): frees the descriptor; the queue and its messages live on until unlinked. */
    public static void close(int mqd) throws ErrnoException {
        call("mq_close", "mqd " + mqd, state -> (int) MQ_CLOSE.invokeExact(state, mqd));
    }

    /** mq_unlink(3): removes the name; the queue itself goes once the last descriptor to it is closed. */
    public static void unlink(String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            call("mq_unlink", name, state -> (int) MQ_UNLINK.invokeExact(state, cName));
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Call {
        long invoke(MemorySegment callState) throws Throwable;
    }

    /** Runs a call, retrying after EINTR (a signal handler ran), and turns -1 into an ErrnoException. */
    private static long call(String name, String on, Call body) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long result = body.invoke(state);
                if (result >= 0) {
                    return result;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != Errno.EINTR.code()) {
                    throw new ErrnoException(name, on, errno);
                }
            }
        } catch (ErrnoException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + "(" + on + ") could not be called", t);
        }
    }

    private static SymbolLookup lookup() {
        SymbolLookup libc = LINKER.defaultLookup();
        if (libc.find("mq_open").isPresent()) {
            return libc;
        }
        // Before glibc 2.34 the mq_* functions lived in librt; the global arena keeps it loaded for good.
        return SymbolLookup.libraryLookup("librt.so.1", Arena.global());
    }

    private static MemorySegment find(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name + " not found in libc.so.6 or librt.so.1"));
    }

    private static MethodHandle function(String name, ValueLayout result, ValueLayout... arguments) {
        return LINKER.downcallHandle(find(name), FunctionDescriptor.of(result, arguments),
                Linker.Option.captureCallState("errno"));
    }
}
