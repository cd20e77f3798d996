package ipclab.lab07;

import static ipclab.support.CLibrary.LIBRT;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Instant;

/**
 * The POSIX message queue calls of mq_overview(7), through the Foreign Function &amp; Memory API.
 * Given code: a lab-local binding in the style of {@link ipclab.support.Libc}; every call but
 * mq_close is made again after EINTR (a signal handler ran), and every failure is an
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

    /** mqd_t mq_open(const char *name, int oflag, ...): the two optional arguments are mode_t mode and struct mq_attr *attr. */
    private static final MethodHandle MQ_OPEN = LIBRT.variadic("mq_open", 2,
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    /** int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len, unsigned int msg_prio) */
    private static final MethodHandle MQ_SEND = LIBRT.function("mq_send",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len, unsigned int *msg_prio) */
    private static final MethodHandle MQ_RECEIVE = LIBRT.function("mq_receive",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    /** mq_receive with a last argument, const struct timespec *abs_timeout */
    private static final MethodHandle MQ_TIMEDRECEIVE = LIBRT.function("mq_timedreceive",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle MQ_GETATTR = LIBRT.function("mq_getattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MQ_CLOSE = LIBRT.function("mq_close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MQ_UNLINK = LIBRT.function("mq_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));

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
            return (int) Downcall.retryingEintr("mq_open", name,
                    state -> (int) MQ_OPEN.invokeExact(state, cName, oflag, mode, attrArgument));
        }
    }

    /** mq_send(3): puts {@code length} bytes of {@code message} into the queue with a priority (0 = lowest). */
    public static void send(int mqd, MemorySegment message, long length, int priority) throws ErrnoException {
        Downcall.retryingEintr("mq_send", "mqd " + mqd,
                state -> (int) MQ_SEND.invokeExact(state, mqd, message, length, priority));
    }

    /**
     * mq_receive(3): takes the oldest message of the highest priority.
     *
     * @param buffer   at least mq_msgsize bytes long, or the call fails with EMSGSIZE
     * @param priority 4 bytes where the message's priority is stored
     * @return the message's length
     */
    public static long receive(int mqd, MemorySegment buffer, MemorySegment priority) throws ErrnoException {
        return Downcall.retryingEintr("mq_receive", "mqd " + mqd,
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
            return Downcall.retryingEintr("mq_timedreceive", "mqd " + mqd, state -> (long) MQ_TIMEDRECEIVE.invokeExact(
                    state, mqd, buffer, buffer.byteSize(), priority, timespec));
        }
    }

    /** mq_getattr(3): the queue's flags (O_NONBLOCK of this descriptor), limits and current number of messages. */
    public static QueueAttributes getattr(int mqd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            Downcall.retryingEintr("mq_getattr", "mqd " + mqd, state -> (int) MQ_GETATTR.invokeExact(state, mqd, attr));
            return new QueueAttributes(attr.get(JAVA_LONG, FLAGS), attr.get(JAVA_LONG, MAXMSG),
                    attr.get(JAVA_LONG, MSGSIZE), attr.get(JAVA_LONG, CURMSGS));
        }
    }

    /**
     * mq_close(3): frees the descriptor; the queue and its messages live on until unlinked. On Linux
     * it is close(2), so like close it is not retried on EINTR.
     */
    public static void close(int mqd) throws ErrnoException {
        Downcall.closing("mq_close", "mqd " + mqd, state -> (int) MQ_CLOSE.invokeExact(state, mqd));
    }

    /** mq_unlink(3): removes the name; the queue itself goes once the last descriptor to it is closed. */
    public static void unlink(String name) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            Downcall.retryingEintr("mq_unlink", name, state -> (int) MQ_UNLINK.invokeExact(state, cName));
        }
    }
}
