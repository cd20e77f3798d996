package ipclab.support.proc;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The descriptor chores of these tests: reading a child's output, and what /proc says it has open. */
final class Fds {

    private Fds() {
    }

    /** Reads {@code fd} to end of file: every write end must be closed, ours included. */
    static String readToEnd(int fd) throws ErrnoException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = Libc.read(fd, buffer, 0, buffer.length)) > 0; ) {
            all.write(buffer, 0, n);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Reads up to and including the first newline, byte by byte, so that nothing after it is consumed. */
    static String readLine(int fd) throws ErrnoException {
        StringBuilder line = new StringBuilder();
        byte[] one = new byte[1];
        while (Libc.read(fd, one, 0, 1) == 1 && one[0] != '\n') {
            line.append((char) one[0]);
        }
        return line.toString();
    }

    static void write(int fd, String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Libc.write(fd, bytes, 0, bytes.length);
    }

    /** The descriptor numbers process {@code pid} has open, from /proc/PID/fd. */
    static Set<Integer> openIn(int pid) throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            return entries.map(p -> Integer.valueOf(p.getFileName().toString())).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    static int devNull() throws ErrnoException {
        return Libc.open(Path.of("/dev/null"), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
    }

    /** Closes each of {@code fds} that is not negative (-1: already closed). */
    static void closeAll(int... fds) throws ErrnoException {
        for (int fd : fds) {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }
}
