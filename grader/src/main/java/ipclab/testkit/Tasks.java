package ipclab.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The threads of this process as the kernel sees them, in {@code /proc/self/task/TID}: where one
 * sleeps ({@code wchan}), in which state, in which system call. There is no event for "this thread
 * is now blocked in open(2)" or "asleep in futex(2) on this word": a test that must tell waiting
 * from spinning, or a wait in the right call from one in the wrong, asks the kernel here.
 */
public final class Tasks {

    private static final Path TASKS = Path.of("/proc/self/task");

    /** How much of a thread's name the kernel keeps (TASK_COMM_LEN less the terminating NUL). */
    private static final int COMM_LENGTH = 15;

    private Tasks() {
    }

    /** The calling thread's id as the kernel knows it: /proc/thread-self is a link to PID/task/TID. */
    public static String currentTid() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /** The id of a thread of this process named {@code name} (Thread.setName reaches the kernel), or {@code null} when none is. */
    public static String named(String name) throws IOException {
        String comm = name.length() > COMM_LENGTH ? name.substring(0, COMM_LENGTH) : name;
        List<Path> tasks;
        try (Stream<Path> listing = Files.list(TASKS)) {
            tasks = listing.toList();
        }
        for (Path task : tasks) {
            try {
                if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
                    return task.getFileName().toString();
                }
            } catch (IOException e) {
                // That thread ended meanwhile.
            }
        }
        return null;
    }

    /** The kernel function thread {@code tid} sleeps in ({@code wchan}): "" or "0" while it runs, "(thread gone)" once it has ended. */
    public static String wchan(String tid) {
        try {
            return Files.readString(TASKS.resolve(tid).resolve("wchan")).strip();
        } catch (IOException e) {
            return "(thread gone)";
        }
    }

    /** The scheduler state of thread {@code tid}: R running, S sleeping, D in uninterruptible sleep ...; '?' once it has ended. */
    public static char state(String tid) {
        try {
            String stat = Files.readString(TASKS.resolve(tid).resolve("stat"));
            // tid (comm) state ...: comm may contain spaces and parentheses, so look after the last ')'.
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    /**
     * The system call thread {@code tid} is blocked in, as /proc/self/task/TID/syscall shows it: its
     * number, then its arguments in hex ({@code 202 0x7f3a... 0x80 ...}); "running" while it runs.
     *
     * @throws IOException when the kernel does not offer the file (built without it), or the thread has ended
     */
    public static String syscall(String tid) throws IOException {
        return Files.readString(TASKS.resolve(tid).resolve("syscall")).strip();
    }
}
