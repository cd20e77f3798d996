package ipclab.lab01;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The graded tests' own descriptors: every one opened through here is closed by {@link #close()},
 * also when a test fails. The static helpers look at this process's descriptors with the kernel's
 * own means (kcmp, readlink), never with the lab's code, so they cannot share its mistakes.
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

    /** The numbers listed in /proc/self/fd (the listing's own descriptor among them, closed by the time this returns). */
    static List<Integer> listed() {
        try (Stream<Path> links = Files.list(Path.of("/proc/self/fd"))) {
            return links.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every descriptor of this process on the same open file description as {@code fd}, except {@code fd} itself. */
    static Set<Integer> sharingWith(int fd) {
        Set<Integer> sharing = new TreeSet<>();
        for (int other : listed()) {
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

    /** The link text of /proc/self/fd/N, or empty when N is not open. */
    static Optional<String> target(int fd) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our descriptors whose link text is {@code path}. */
    static Set<Integer> referringTo(Path path) {
        Set<Integer> found = new TreeSet<>();
        for (int fd : listed()) {
            if (target(fd).filter(path.toString()::equals).isPresent()) {
                found.add(fd);
            }
        }
        return found;
    }

    static long inode(Path file) throws IOException {
        return (Long) Files.getAttribute(file, "unix:ino");
    }
}
