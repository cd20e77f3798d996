package ipclab.grader.isolation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cgroup v2 group of processes: whatever a lab starts joins the group its runner JVM started in,
 * and no process can leave it without write access to another group, which an unprivileged user
 * lacks. So the group is the complete list of a lab's processes, and {@code cgroup.kill} ends them
 * all at once, fork bomb included: the kernel kills every member and any child being forked.
 *
 * <p>Where the {@code pids} and {@code memory} controllers are available the group also gets
 * {@code pids.max} and {@code memory.max}; where they are not (a hybrid cgroup v1 host), the group
 * still lists and kills, and the number of processes is bounded by {@code RLIMIT_NPROC} instead.
 */
public final class Cgroup {

    private final Path dir;

    private Cgroup(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The file a process writes its pid into to join the group. */
    public Path procsFile() {
        return dir.resolve("cgroup.procs");
    }

    /**
     * A new group for one grading run below this process's own cgroup v2 group, or empty where there
     * is no cgroup v2 hierarchy, or it cannot be written here.
     */
    public static Optional<Cgroup> forRun(String name) {
        try {
            Optional<Path> own = ownGroup();
            if (own.isEmpty() || !Files.isWritable(own.get())) {
                return Optional.empty();
            }
            Path dir = Files.createDirectory(own.get().resolve(name));
            if (!Files.exists(dir.resolve("cgroup.kill"))) { // before Linux 5.14
                Files.delete(dir);
                return Optional.empty();
            }
            Cgroup run = new Cgroup(dir);
            run.enableControllers();
            return Optional.of(run);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A group of its own for one lab, with limits where the controllers allow them. */
    public Cgroup child(String name, long pidsMax, long memoryMax) throws IOException {
        Path child = dir.resolve(name);
        if (Files.isDirectory(child)) {
            new Cgroup(child).remove();
        }
        Files.createDirectory(child);
        Cgroup group = new Cgroup(child);
        group.writeIfPresent("pids.max", Long.toString(pidsMax));
        group.writeIfPresent("memory.max", Long.toString(memoryMax));
        group.writeIfPresent("memory.swap.max", "0");
        return group;
    }

    /** Whether the group enforces {@code pids.max}. */
    public boolean limitsProcesses() {
        return Files.exists(dir.resolve("pids.max"));
    }

    /** Whether the group enforces {@code memory.max}. */
    public boolean limitsMemory() {
        return Files.exists(dir.resolve("memory.max"));
    }

    /** The pids in the group and in every group below it. */
    public List<Long> processes() {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).flatMap(Cgroup::pids).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Kills every process in the group and waits until it is empty (or the deadline passes). */
    public boolean kill(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!processes().isEmpty()) {
            try {
                Files.writeString(dir.resolve("cgroup.kill"), "1");
            } catch (IOException e) {
                return processes().isEmpty();
            }
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(2); // the kernel empties the group asynchronously
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Kills what is left, then removes the group and the groups below it. Safe to call twice at
     * once (a shutdown hook and the run itself): a group already gone is skipped.
     */
    public void remove() {
        // A killed process leaves its group only once it has been reaped, which its parent (the JDK's
        // reaper thread) does a moment later: until then rmdir fails with EBUSY. Retry for a while.
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            kill(Duration.ofSeconds(10));
            removeTree(dir);
            if (!Files.exists(dir)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (System.nanoTime() < end);
    }

    private static void removeTree(Path group) {
        try (Stream<Path> children = Files.list(group)) {
            for (Path child : children.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                removeTree(child);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // Gone already.
        }
        try {
            Files.deleteIfExists(group); // rmdir(2): a cgroup's files go with it
        } catch (IOException e) {
            // Still has members (the process sweep reports them), or removed by the other caller.
        }
    }

    private void enableControllers() {
        try {
            List<String> available = List.of(Files.readString(dir.resolve("cgroup.controllers")).strip().split("\\s+"));
            StringBuilder enable = new StringBuilder();
            for (String controller : List.of("pids", "memory")) {
                if (available.contains(controller)) {
                    enable.append('+').append(controller).append(' ');
                }
            }
            if (!enable.isEmpty()) {
                Files.writeString(dir.resolve("cgroup.subtree_control"), enable.toString().strip());
            }
        } catch (IOException | RuntimeException e) {
            // Not delegated here: the groups list and kill, without limits.
        }
    }

    private void writeIfPresent(String file, String value) {
        Path p = dir.resolve(file);
        if (Files.exists(p)) {
            try {
                Files.writeString(p, value);
            } catch (IOException e) {
                // A limit we may not set: the group still lists and kills.
            }
        }
    }

    private static Stream<Long> pids(Path procs) {
        try {
            return Files.readAllLines(procs).stream().filter(s -> !s.isBlank()).map(Long::parseLong);
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    /** This process's cgroup v2 folder: the cgroup2 mount point joined with the "0::" line of /proc/self/cgroup. */
    private static Optional<Path> ownGroup() throws IOException {
        Optional<Path> mount = Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
                .map(line -> line.split(" - ", 2))
                .filter(parts -> parts.length == 2 && parts[1].startsWith("cgroup2 "))
                .map(parts -> Path.of(parts[0].split(" ")[4]))
                .findFirst();
        Optional<String> group = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .filter(line -> line.startsWith("0::")).map(line -> line.substring(3)).findFirst();
        if (mount.isEmpty() || group.isEmpty()) {
            return Optional.empty();
        }
        Path dir = mount.get().resolve(group.get().substring(1));
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }
}
