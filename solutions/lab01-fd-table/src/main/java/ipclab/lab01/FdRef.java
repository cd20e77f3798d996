package ipclab.lab01;

import java.nio.file.Path;

/**
 * A descriptor named from outside: descriptor {@code fd} of process {@code pid}. A number alone
 * means nothing; fd 3 of one process and fd 3 of another are unrelated unless proven otherwise.
 */
public record FdRef(long pid, int fd) {

    /** Descriptor {@code fd} of this process. */
    public static FdRef self(int fd) {
        return new FdRef(ProcessHandle.current().pid(), fd);
    }

    /**
     * {@code /proc/PID/fd/N}: a "magic" symbolic link. readlink(2) gives a text such as
     * {@code pipe:[123]}; stat(2) and open(2) follow it to the very object the descriptor refers to,
     * even an anonymous pipe or a deleted file.
     */
    public Path procLink() {
        return Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd));
    }

    @Override
    public String toString() {
        return "pid " + pid + " fd " + fd;
    }
}
