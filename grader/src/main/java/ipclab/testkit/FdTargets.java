package ipclab.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What a process's descriptors refer to, as the kernel shows it in {@code /proc/PID/fd}: each entry
 * is a link whose text is the target ({@code /tmp/x}, {@code pipe:[4711]}, {@code socket:[4712]},
 * {@code anon_inode:[eventpoll]}). The graded tests and the grader's leak check read descriptors
 * only through here, never through the lab's code, so that they cannot share its mistakes and
 * cannot disagree with each other.
 *
 * <p>Listing {@code /proc/PID/fd} opens a descriptor of its own; the listing is closed before any
 * link is read, so that descriptor never appears as an entry.
 */
public final class FdTargets {

    private FdTargets() {
    }

    /** Every descriptor of process {@code pid} with its target, by number; empty when the process is gone or not ours to read. */
    public static SortedMap<Integer, String> of(long pid) {
        try {
            return list(pid);
        } catch (IOException | SecurityException e) {
            return Collections.emptySortedMap();
        }
    }

    /** Every descriptor of this process with its target, by number. */
    public static SortedMap<Integer, String> ofThisProcess() {
        try {
            return list(ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd", e);
        }
    }

    /** What descriptor {@code fd} of process {@code pid} refers to, or {@code null} when it is not open. */
    public static String target(long pid, int fd) {
        return read(folder(pid).resolve(Integer.toString(fd)));
    }

    /** What this process's descriptor {@code fd} refers to, or {@code null} when it is not open. */
    public static String target(int fd) {
        return target(ProcessHandle.current().pid(), fd);
    }

    /**
     * This process's descriptors open on {@code file}, in ascending order. A file removed since it
     * was opened still counts: the kernel then shows its path followed by {@code " (deleted)"}.
     */
    public static List<Integer> referringTo(Path file) {
        String path = file.toString();
        List<Integer> found = new ArrayList<>();
        ofThisProcess().forEach((fd, target) -> {
            if (target.equals(path) || target.equals(path + " (deleted)")) {
                found.add(fd);
            }
        });
        return found;
    }

    /** Whether process {@code pid} has a descriptor whose target is exactly {@code target} ({@code socket:[4711]}). */
    public static boolean holds(long pid, String target) {
        return of(pid).containsValue(target);
    }

    /** This process's descriptors that are new since {@code before} was taken, or refer to something else now. */
    public static SortedMap<Integer, String> openedSince(Map<Integer, String> before) {
        return openedSince(before, target -> true);
    }

    /** {@link #openedSince(Map)}, only those whose target {@code counts}. */
    public static SortedMap<Integer, String> openedSince(Map<Integer, String> before, Predicate<String> counts) {
        SortedMap<Integer, String> opened = new TreeMap<>();
        ofThisProcess().forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && counts.test(target)) {
                opened.put(fd, target);
            }
        });
        return opened;
    }

    private static SortedMap<Integer, String> list(long pid) throws IOException {
        Path folder = folder(pid);
        List<String> names;
        try (Stream<Path> entries = Files.list(folder)) {
            names = entries.map(p -> p.getFileName().toString()).toList();
        }
        SortedMap<Integer, String> targets = new TreeMap<>();
        for (String name : names) {
            String target = read(folder.resolve(name));
            if (target != null) {
                targets.put(Integer.parseInt(name), target);
            }
        }
        return targets;
    }

    private static Path folder(long pid) {
        return Path.of("/proc", Long.toString(pid), "fd");
    }

    /** A link's text; {@code null} when it is gone (closed meanwhile) or cannot be read. */
    private static String read(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
