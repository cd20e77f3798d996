package ipclab.lab01;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A snapshot of one process's descriptor table, read from {@code /proc/PID/fd} (one magic link per
 * open descriptor) and {@code /proc/PID/fdinfo} (one small text file per descriptor).
 *
 * <p>It is a snapshot of a moving thing: any thread of the process may open or close descriptors
 * while we read, so an entry listed a moment ago can be gone by the time we look at it.
 */
public final class FdTable {

    // File type bits of st_mode, in octal as in <sys/stat.h>.
    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    /** The three fields of {@code /proc/PID/fdinfo/N} this lab uses. */
    record FdInfo(long offset, int flags, long inode) {
    }

    private final long pid;
    private final List<FdEntry> entries;

    FdTable(long pid, List<FdEntry> entries) {
        this.pid = pid;
        this.entries = entries.stream().sorted(Comparator.comparingInt(FdEntry::fd)).toList();
    }

    /**
     * Reads the descriptor table of process {@code pid}: one {@link #read} per entry of
     * {@code /proc/PID/fd}. A descriptor closed between the listing and its reading is left out.
     *
     * @throws NoSuchFileException when no such process exists
     */
    public static FdTable of(long pid) throws IOException {
        throw new UnsupportedOperationException("TODO: list /proc/PID/fd and read(pid, fd) each entry, skipping descriptors closed meanwhile");
    }

    /** This process's own descriptor table. */
    public static FdTable self() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    /**
     * Reads one descriptor of process {@code pid}: the link text of {@code /proc/PID/fd/N}, the file
     * type of what it points to (stat(2) through the link), and {@code /proc/PID/fdinfo/N}.
     *
     * @throws NoSuchFileException when that descriptor is not open in that process
     */
    public static FdEntry read(long pid, int fd) throws IOException {
        throw new UnsupportedOperationException("TODO: readlink(2) /proc/PID/fd/N, stat(2) through it for the mode, parse /proc/PID/fdinfo/N into an FdEntry");
    }

    /**
     * Parses the text of {@code /proc/PID/fdinfo/N}: lines {@code key:<TAB>value}. Of the lines
     * every descriptor has, {@code pos:} is decimal, {@code flags:} is octal with a leading 0 and
     * {@code ino:} is decimal; kinds such as epoll or eventfd add lines of their own after them.
     *
     * @throws IllegalArgumentException when {@code pos:}, {@code flags:} or {@code ino:} is missing
     */
    static FdInfo parseFdInfo(String text) {
        throw new UnsupportedOperationException("TODO: parse the pos: (decimal), flags: (octal) and ino: (decimal) lines of /proc/PID/fdinfo/N");
    }

    /**
     * Names what a descriptor refers to, from its link text and the {@code st_mode} of the object
     * behind it. The mode tells the file type; the link text tells an anonymous pipe from a FIFO
     * (both are S_IFIFO) and marks anon inodes, which have no file type bits at all.
     */
    static FdKind kindOf(String target, int mode) {
        throw new UnsupportedOperationException("TODO: name the kind from the link text (pipe:[, anon_inode:) and the S_IFMT bits of stat(2)'s st_mode");
    }

    /** The process this table belongs to. */
    public long pid() {
        return pid;
    }

    /** Every descriptor, by number. */
    public List<FdEntry> entries() {
        return entries;
    }

    /** Descriptor {@code fd}, or empty when it was not open. */
    public Optional<FdEntry> entry(int fd) {
        return entries.stream().filter(e -> e.fd() == fd).findFirst();
    }

    /** The table as plain rows (raw octal flags), for messages and debugging. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("descriptor table of process " + pid + ":\n");
        text.append(String.format("  %4s  %-12s %8s %10s %10s  %s%n", "fd", "kind", "offset", "flags", "inode", "target"));
        for (FdEntry e : entries) {
            text.append(String.format("  %4d  %-12s %8d %10s %10d  %s%n",
                    e.fd(), e.kind(), e.offset(), "0" + Integer.toOctalString(e.flags()), e.inode(), e.target()));
        }
        return text.toString();
    }
}
