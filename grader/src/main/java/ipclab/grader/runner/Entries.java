package ipclab.grader.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the leak checks need to know of folder entries, asked without following links: the
 * names in a folder, what kind of file an entry is, and who owns it.
 */
public final class Entries {

    /** POSIX shared memory and message queues: a new entry there is an IPC object, whatever its kind. */
    public static final List<Path> IPC_FOLDERS = List.of(Path.of("/dev/shm"), Path.of("/dev/mqueue"));

    /** The world-writable scratch folders, where FIFOs and sockets (and anything else) can be left. */
    public static final List<Path> SCRATCH_FOLDERS = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/run/lock"));

    /** Every folder every process on the machine shares, where a run's leftovers can hide. */
    public static final List<Path> SHARED_FOLDERS = java.util.stream.Stream.concat(IPC_FOLDERS.stream(), SCRATCH_FOLDERS.stream()).toList();

    /**
     * Whether a new entry of one of the shared folders is what {@code uid} left there: any entry it
     * owns in /dev/shm and /dev/mqueue; in the scratch folders only FIFOs and sockets, the kinds the
     * labs make there, unless {@code everyKind} (an unprivileged user of the grader's own, whose
     * every file there is the run's).
     */
    public static boolean leftBy(Path folder, Path entry, int uid, boolean everyKind) {
        if (!everyKind && SCRATCH_FOLDERS.contains(folder) && !isFifoOrSocket(entry)) {
            return false;
        }
        return ownedBy(entry, uid);
    }

    /** Whether an entry of a scratch folder is a FIFO or a socket: the kinds the labs make there. */
    public static boolean isFifoOrSocket(Path p) {
        String kind = kind(p);
        return kind.equals("the FIFO") || kind.equals("the socket file");
    }

    private Entries() {
    }

    /** The names in a folder; empty when it cannot be read. */
    public static Set<String> names(Path folder) {
        Set<String> names = new HashSet<>();
        try (Stream<Path> entries = Files.list(folder)) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            // Not there, or not readable now: nothing to compare.
        }
        return names;
    }

    /** "the folder", "the FIFO", "the socket file" or "the file", as a leak message names it. */
    public static String kind(Path p) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return "the folder";
        }
        try {
            int type = ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 0170000;
            return switch (type) {
                case 0010000 -> "the FIFO";
                case 0140000 -> "the socket file";
                default -> "the file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "the file";
        }
    }

    /** Whether {@code uid} owns the entry; false when it is gone. */
    public static boolean ownedBy(Path p, int uid) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == uid;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A path as a message shows it: a student can make one thousands of characters long. */
    public static String shorten(Path p) {
        String s = p.toString();
        return s.length() <= 160 ? s : s.substring(0, 159) + "…";
    }
}
