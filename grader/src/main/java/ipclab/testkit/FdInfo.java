package ipclab.testkit;

import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of {@code /proc/PID/fdinfo/N}: what the kernel keeps in a descriptor's open file
 * description ({@code pos}, {@code flags}, {@code mnt_id}, {@code ino}, ...). A test reads the
 * flags a lab's open(2) really used from here, rather than trusting fcntl(2) through the lab's
 * own code.
 */
public final class FdInfo {

    private FdInfo() {
    }

    /**
     * The value of field {@code name} ({@code "pos"}, {@code "flags"}) for descriptor {@code fd} of
     * process {@code pid}, as the kernel wrote it.
     *
     * @throws IOException when the descriptor is not open, or has no such field
     */
    public static String field(long pid, int fd, String name) throws IOException {
        Path info = Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd));
        for (String line : Files.readAllLines(info)) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        throw new IOException(info + " has no " + name + " line");
    }

    /** The open file description's flags (O_ACCMODE, O_NONBLOCK, O_APPEND, ...) of this process's descriptor {@code fd}: octal in fdinfo. */
    public static int flags(int fd) throws IOException {
        return Integer.parseInt(field(ProcessHandle.current().pid(), fd, "flags"), 8);
    }

    /** The file offset of this process's descriptor {@code fd}: decimal in fdinfo. */
    public static long pos(int fd) throws IOException {
        return Long.parseLong(field(ProcessHandle.current().pid(), fd, "pos"));
    }

    /** O_RDONLY, O_WRONLY or O_RDWR, plus O_NONBLOCK and O_CLOEXEC when set: for failure messages. */
    public static String describeFlags(int flags) {
        String access = switch (flags & Libc.O_ACCMODE) {
            case Libc.O_RDONLY -> "O_RDONLY";
            case Libc.O_WRONLY -> "O_WRONLY";
            default -> "O_RDWR";
        };
        return access + ((flags & Libc.O_NONBLOCK) != 0 ? " | O_NONBLOCK" : "") + ((flags & Libc.O_CLOEXEC) != 0 ? " | O_CLOEXEC" : "");
    }
}
