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
        Path dir = Path.of("/proc", Long.toString(pid), "fd");
        List<Integer> numbers;
        try (Stream<Path> listing = Files.list(dir)) {
            numbers = listing.map(link -> Integer.parseInt(link.getFileName().toString())).toList();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(dir.toString(), null, "no process " + pid + " (it has exited, or never existed)");
        }
        // The listing itself needed a descriptor for /proc/PID/fd. Reading our own table, it shows
        // up in the list but is closed by now: skipped below, like any other descriptor closed meanwhile.
        List<FdEntry> entries = new ArrayList<>();
        for (int fd : numbers) {
            try {
                entries.add(read(pid, fd));
            } catch (NoSuchFileException closedMeanwhile) {
                // Gone between listing and reading: not part of the table any more.
            }
        }
        return new FdTable(pid, entries);
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
        Path link = new FdRef(pid, fd).procLink();
        try {
            String target = Files.readSymbolicLink(link).toString();
            // Files.getAttribute follows links, as stat(2) does: the mode of the object itself.
            int mode = (Integer) Files.getAttribute(link, "unix:mode");
            FdInfo info = parseFdInfo(Files.readString(Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd))));
            return new FdEntry(fd, kindOf(target, mode), target, info.inode(), info.offset(), info.flags());
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(link.toString(), null, "descriptor " + fd + " is not open in process " + pid);
        }
    }

    /**
     * Parses the text of {@code /proc/PID/fdinfo/N}: lines {@code key:<TAB>value}. Of the lines
     * every descriptor has, {@code pos:} is decimal, {@code flags:} is octal with a leading 0 and
     * {@code ino:} is decimal; kinds such as epoll or eventfd add lines of their own after them.
     *
     * @throws IllegalArgumentException when {@code pos:}, {@code flags:} or {@code ino:} is missing
     */
    static FdInfo parseFdInfo(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                // Only the first line of each key counts: an epoll descriptor adds lines such as
                // "tfd: 5 events: 19 data: ... pos:0 ino:40e", which are about the files it watches.
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return new FdInfo(
                Long.parseLong(field(fields, "pos", text)),
                Integer.parseUnsignedInt(field(fields, "flags", text), 8),
                Long.parseLong(field(fields, "ino", text)));
    }

    private static String field(Map<String, String> fields, String key, String text) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("fdinfo text has no '" + key + ":' line: " + text.strip());
        }
        return value;
    }

    /**
     * Names what a descriptor refers to, from its link text and the {@code st_mode} of the object
     * behind it. The mode tells the file type; the link text tells an anonymous pipe from a FIFO
     * (both are S_IFIFO) and marks anon inodes, which have no file type bits at all.
     */
    static FdKind kindOf(String target, int mode) {
        if (target.startsWith("anon_inode:")) {
            return FdKind.ANON_INODE;
        }
        return switch (mode & S_IFMT) {
            case S_IFREG -> FdKind.FILE;
            case S_IFDIR -> FdKind.DIRECTORY;
            case S_IFIFO -> target.startsWith("pipe:") ? FdKind.PIPE : FdKind.FIFO;
            case S_IFSOCK -> FdKind.SOCKET;
            case S_IFCHR -> FdKind.CHAR_DEVICE;
            case S_IFBLK -> FdKind.BLOCK_DEVICE;
            default -> FdKind.OTHER;
        };
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
