package ipclab.lab07;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's one-line report on a queue, read from its file in the mqueue filesystem:
 * {@code cat /dev/mqueue/NAME} prints e.g. {@code QSIZE:129        NOTIFY:0     SIGNO:0     NOTIFY_PID:0}.
 *
 * @param bytesQueued QSIZE: the total bytes of all messages in the queue (bodies only)
 * @param notifyMethod NOTIFY: how a registered mq_notify(3) listener is told (0 SIGEV_SIGNAL, 1 SIGEV_NONE, 2 SIGEV_THREAD)
 * @param signal      SIGNO: the signal number for SIGEV_SIGNAL, else 0
 * @param notifyPid   NOTIFY_PID: the process registered with mq_notify(3), or 0 when none is
 */
public record QueueStatus(long bytesQueued, int notifyMethod, int signal, long notifyPid) {

    /** Where the mqueue filesystem is mounted (mount -t mqueue none /dev/mqueue). */
    public static final Path MOUNT_POINT = Path.of("/dev/mqueue");

    /** The file for queue {@code name} ({@code /foo} → {@code /dev/mqueue/foo}). */
    public static Path fileOf(String name) {
        return MOUNT_POINT.resolve(name.startsWith("/") ? name.substring(1) : name);
    }

    /** Reads and parses the status file of queue {@code name}. */
    public static QueueStatus read(String name) throws IOException {
        throw new UnsupportedOperationException("TODO: read /dev/mqueue/NAME (fileOf) and parse it");
    }

    /**
     * Parses the kernel's line: {@code KEY:value} pairs separated by spaces, in any order.
     *
     * @throws IllegalArgumentException when a field is missing or not a number
     */
    public static QueueStatus parse(String line) {
        throw new UnsupportedOperationException("TODO: split the line into KEY:value fields and pick QSIZE, NOTIFY, SIGNO and NOTIFY_PID");
    }
}
