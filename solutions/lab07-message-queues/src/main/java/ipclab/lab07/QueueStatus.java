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
        return parse(Files.readString(fileOf(name)));
    }

    /**
     * Parses the kernel's line: {@code KEY:value} pairs separated by spaces, in any order.
     *
     * @throws IllegalArgumentException when a field is missing or not a number
     */
    public static QueueStatus parse(String line) {
        long qsize = -1;
        long notify = -1;
        long signo = -1;
        long notifyPid = -1;
        for (String field : line.trim().split("\\s+")) {
            int colon = field.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("not KEY:value: '" + field + "' in '" + line.trim() + "'");
            }
            long value = Long.parseLong(field.substring(colon + 1));
            switch (field.substring(0, colon)) {
                case "QSIZE" -> qsize = value;
                case "NOTIFY" -> notify = value;
                case "SIGNO" -> signo = value;
                case "NOTIFY_PID" -> notifyPid = value;
                default -> { } // a newer kernel may add fields: ignore them
            }
        }
        if (qsize < 0 || notify < 0 || signo < 0 || notifyPid < 0) {
            throw new IllegalArgumentException("QSIZE, NOTIFY, SIGNO and NOTIFY_PID expected in '" + line.trim() + "'");
        }
        return new QueueStatus(qsize, (int) notify, (int) signo, notifyPid);
    }
}
