package ipclab.lab01;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;

/**
 * The graded tests' own descriptors: every one opened through here is closed by {@link #close()},
 * also when a test fails. The static helpers compare this process's descriptors with the kernel's
 * own means (kcmp), never with the lab's code, so they cannot share its mistakes.
 */
final class TestFds implements AutoCloseable {

    static final long SELF = ProcessHandle.current().pid();

    private final Deque<Integer> open = new ArrayDeque<>();

    /** Takes care of closing {@code fd}. */
    int keep(int fd) {
        open.push(fd);
        return fd;
    }

    int open(Path file, int flags) throws ErrnoException {
        return keep(Libc.open(file, flags, 0600));
    }

    /** A pipe, both ends kept. */
    int[] pipe(int flags) throws ErrnoException {
        int[] ends = Libc.pipe2(flags);
        keep(ends[0]);
        keep(ends[1]);
        return ends;
    }

    /**
     * Opens {@code file} read-only at the lowest free number not below {@code atLeast}: numbers
     * that far up are free in a freshly started child JVM too, so the child can take the same one.
     */
    int openAtOrAbove(Path file, int atLeast) throws ErrnoException {
        int fd = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            return keep(Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, atLeast));
        } finally {
            Libc.close(fd);
        }
    }

    /** Closes {@code fd} now rather than at the end. */
    void closeNow(int fd) throws ErrnoException {
        open.removeFirstOccurrence(fd);
        Libc.close(fd);
    }

    @Override
    public void close() {
        while (!open.isEmpty()) {
            int fd = open.pop();
            try {
                Libc.close(fd);
            } catch (ErrnoException e) {
                if (!e.is(Errno.EBADF)) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Every descriptor of this process on the same open file description as {@code fd}, except {@code fd} itself. */
    static Set<Integer> sharingWith(int fd) {
        Set<Integer> sharing = new TreeSet<>();
        for (int other : FdTargets.ofThisProcess().keySet()) {
            if (other != fd && sameOpenFileDescription(other, fd)) {
                sharing.add(other);
            }
        }
        return sharing;
    }

    /** kcmp(2) KCMP_FILE between two of our own descriptors; false when either is not open. */
    static boolean sameOpenFileDescription(int a, int b) {
        try {
            return Libc.kcmp(SELF, SELF, Libc.KCMP_FILE, a, b) == 0;
        } catch (ErrnoException e) {
            if (e.is(Errno.EBADF)) {
                return false;
            }
            throw new IllegalStateException(e);
        }
    }

    static long inode(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }
}
