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

    /** The folders every process on the machine shares, where a run's leftovers can hide. */
    public static final List<Path> SHARED_FOLDERS = List.of(Path.of("/dev/shm"), Path.of("/dev/mqueue"), Path.of("/tmp"));

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

    /** Deletes an entry and, for a folder, everything below it, never following a link. */
    public static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(p)) {
                for (Path c : children.toList()) {
                    delete(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
