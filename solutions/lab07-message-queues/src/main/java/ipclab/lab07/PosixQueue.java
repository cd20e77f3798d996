package ipclab.lab07;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One open descriptor of a POSIX message queue (mq_overview(7)): a kernel object with a name
 * ({@code /ipclab-…}, visible as a file in {@code /dev/mqueue}), a fixed number of slots of a fixed
 * size, and messages kept whole and ordered by priority. Close it (try-with-resources) to free the
 * descriptor; {@link #unlink} removes the queue's name.
 */
public final class PosixQueue implements AutoCloseable {

    /** Owner may read and write: the queue is this user's business only. */
    static final int MODE = 0600;

    private final String name;
    private final int mqd;
    private boolean closed;
    /** mq_msgsize, asked once: it never changes for the life of a queue. */
    private long messageSize = -1;

    private PosixQueue(String name, int mqd) {
        this.name = name;
        this.mqd = mqd;
    }

    /**
     * Creates a new queue (it must not exist yet) and opens it for reading and writing.
     *
     * @param name        {@code /something}, e.g. {@link #uniqueName}
     * @param maxMessages mq_maxmsg, 1..10 works for every user with the default limits
     * @param messageSize mq_msgsize, the largest message in bytes
     */
    public static PosixQueue create(String name, int maxMessages, int messageSize) throws ErrnoException {
        int mqd = MqCalls.open(name, Libc.O_CREAT | Libc.O_EXCL | Libc.O_RDWR | Libc.O_CLOEXEC, MODE,
                maxMessages, messageSize);
        return new PosixQueue(name, mqd);
    }

    /**
     * Opens a queue that exists already, for reading and writing.
     *
     * @param nonBlocking with O_NONBLOCK a send to a full queue and a receive from an empty one fail with
     *                    EAGAIN instead of waiting
     */
    public static PosixQueue open(String name, boolean nonBlocking) throws ErrnoException {
        int flags = Libc.O_RDWR | Libc.O_CLOEXEC | (nonBlocking ? Libc.O_NONBLOCK : 0);
        return new PosixQueue(name, MqCalls.open(name, flags, 0, 0, 0));
    }

    /** A queue name this run can use without colliding with anyone: {@code /ipclab-<run>-<purpose>-<random>}. */
    public static String uniqueName(String purpose) {
        return "/" + ipclab.support.RunTag.uniqueName(purpose);
    }

    /** Removes the queue's name; processes that have it open keep using it until they close it. */
    public static void unlink(String name) throws ErrnoException {
        MqCalls.unlink(name);
    }

    public String name() {
        return name;
    }

    /** The message queue descriptor: a file descriptor, listed in /proc/self/fd. */
    public int descriptor() {
        return mqd;
    }

    /**
     * Sends one message. Blocks while the queue is full, unless the descriptor is non-blocking: then
     * it throws an ErrnoException with EAGAIN.
     *
     * @param priority 0 (lowest) to 32767 at least; higher priorities are received first
     */
    public void send(byte[] body, int priority) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(Math.max(1, body.length));
            MemorySegment.copy(body, 0, message, ValueLayout.JAVA_BYTE, 0, body.length);
            MqCalls.send(mqd, message, body.length, priority);
        }
    }

    /** Takes the oldest message of the highest priority, waiting while the queue is empty (or EAGAIN if non-blocking). */
    public Message receive() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(messageSize());
            MemorySegment priority = arena.allocate(ValueLayout.JAVA_INT);
            long length = MqCalls.receive(mqd, buffer, priority);
            return toMessage(buffer, length, priority);
        }
    }

    /**
     * As {@link #receive()}, but waits at most {@code timeout}.
     *
     * @return the message, or empty when the queue stayed empty that long (ETIMEDOUT), or is empty now
     *         and this descriptor is non-blocking (EAGAIN)
     */
    public Optional<Message> receive(Duration timeout) throws ErrnoException {
        // mq_timedreceive wants an absolute deadline on the real-time clock, not a duration.
        Instant deadline = Instant.now().plus(timeout);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(messageSize());
            MemorySegment priority = arena.allocate(ValueLayout.JAVA_INT);
            long length = MqCalls.timedReceive(mqd, buffer, priority, deadline);
            return Optional.of(toMessage(buffer, length, priority));
        } catch (ErrnoException e) {
            // ETIMEDOUT: nothing came in time. EAGAIN: a non-blocking descriptor does not wait at all.
            if (e.is(Errno.ETIMEDOUT) || e.is(Errno.EAGAIN)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** mq_getattr: the limits, this descriptor's flags and how many messages wait right now. */
    public QueueAttributes attributes() throws ErrnoException {
        return MqCalls.getattr(mqd);
    }

    /** Closes this descriptor (once); the queue and its messages stay until unlinked. */
    @Override
    public void close() throws ErrnoException {
        if (!closed) {
            closed = true;
            MqCalls.close(mqd);
        }
    }

    /** A receive buffer smaller than mq_msgsize fails with EMSGSIZE, so ask the queue how big to make it. */
    private long messageSize() throws ErrnoException {
        if (messageSize < 0) {
            messageSize = attributes().messageSize();
        }
        return messageSize;
    }

    private static Message toMessage(MemorySegment buffer, long length, MemorySegment priority) {
        byte[] body = buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
        return new Message(body, priority.get(ValueLayout.JAVA_INT, 0));
    }

    @Override
    public String toString() {
        return "PosixQueue[" + name + ", mqd " + mqd + (closed ? ", closed" : "") + "]";
    }
}
