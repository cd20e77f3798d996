package ipclab.grader.runner;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.ProcessTree;
import ipclab.testkit.FdTargets;
import ipclab.testkit.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what a test left behind, and cleans it up: processes it started, descriptors it opened,
 * and files it created in the watched folders ({@code /dev/shm}, {@code /dev/mqueue}, the temp
 * folder). A test that leaks fails, with a message that names each leak, because leaks are
 * exactly what this course teaches about.
 */
final class LeakGuard {

    /** How long to wait for a killed process to disappear, and for the JDK to close its pipes. */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    /** How long a pipe may stay open after its process exited before it counts as leaked. */
    private static final Duration REAPER_SETTLE = Duration.ofMillis(500);

    /** Names the JVM and libraries put into temp folders themselves: not the test's doing. */
    private static final List<String> TOOLING_FILES = List.of("hsperfdata_", "junixsocket", "libjunixsocket", "jna", ".java_pid");

    private static final String[] STANDARD_NAMES = {"stdin", "stdout", "stderr"};

    private final String token;
    private final Path ownFolder;
    private final List<Path> watchedFolders;
    private final int uid = Libc.geteuid();
    private final int devNull;
    /** Copies of this JVM's stdin, stdout and stderr, to put back a test's redirection of fd 0, 1 or 2. */
    private final int[] standardStreams = new int[3];
    private Map<Integer, String> descriptorsBefore = Map.of();
    private Map<Path, Set<String>> filesBefore = Map.of();

    /**
     * @param token     the run's token, inherited by every process it starts
     * @param ownFolder the run's own temp folder: everything new in it is the test's
     */
    LeakGuard(String token, Path ownFolder) throws ErrnoException {
        this.token = token;
        this.ownFolder = ownFolder;
        List<Path> watched = new ArrayList<>(Entries.SHARED_FOLDERS);
        watched.add(ownFolder);
        this.watchedFolders = watched.stream().filter(Files::isDirectory).toList();
        this.devNull = Libc.open(Path.of("/dev/null"), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        for (int fd = 0; fd < standardStreams.length; fd++) {
            standardStreams[fd] = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 0);
        }
    }

    /** Remembers what exists before a test. */
    void before() {
        descriptorsBefore = FdTargets.ofThisProcess();
        Map<Path, Set<String>> files = new HashMap<>();
        for (Path folder : watchedFolders) {
            files.put(folder, Entries.names(folder));
        }
        filesBefore = files;
    }

    /** Finds, reports and cleans up what the test left behind; empty when it left nothing. */
    List<String> after() {
        List<String> leaks = new ArrayList<>();
        boolean killedAny = killLeakedProcesses(leaks);
        closeLeakedDescriptors(leaks, killedAny);
        removeLeakedFiles(leaks);
        return leaks;
    }

    /** How many leaked processes a failure names one by one; a fork bomb's thousands are counted. */
    private static final int NAMED_PROCESSES = 10;

    /**
     * Kills what the test left running, in rounds until a round finds nothing (a fork bomb forks
     * while it is being killed), and names the first few. Returns whether there was any.
     */
    private boolean killLeakedProcesses(List<String> leaks) {
        int found = 0;
        boolean allGone = true;
        for (int round = 0; round < 100; round++) {
            Set<ProcessHandle> left = RunProcesses.find(token);
            if (left.isEmpty()) {
                break;
            }
            for (ProcessHandle p : left) {
                if (found++ < NAMED_PROCESSES) {
                    leaks.add("leaked child process " + p.pid() + ": " + RunProcesses.describe(p)
                            + " — still running when the test ended; it was killed");
                }
            }
            left.forEach(ProcessHandle::destroyForcibly);
            allGone = ProcessTree.awaitExit(List.copyOf(left), SETTLE);
        }
        if (found > NAMED_PROCESSES) {
            leaks.add("… and " + (found - NAMED_PROCESSES) + " more processes left running: all were killed");
        }
        if (!allGone) {
            leaks.add("some of them survived SIGKILL for " + SETTLE.toSeconds() + " s");
        }
        return found > 0;
    }

    private void closeLeakedDescriptors(List<String> leaks, boolean processesWereKilled) {
        Map<Integer, String> leaked = newDescriptors();
        // The JDK closes its pipes to a child on its reaper thread, a moment after the child has
        // exited: Process.waitFor can return before that. Those pipes are not the test's leaks,
        // so while only such descriptors remain, give the reaper a short while to finish.
        Duration settle = processesWereKilled ? SETTLE : REAPER_SETTLE;
        long deadline = System.nanoTime() + settle.toNanos();
        while (!leaked.isEmpty() && leaked.values().stream().allMatch(t -> t.startsWith("pipe:"))
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            leaked = newDescriptors();
        }
        for (var fd : leaked.entrySet()) {
            if (fd.getKey() < standardStreams.length) {
                leaks.add("left fd " + fd.getKey() + " (" + STANDARD_NAMES[fd.getKey()] + ") referring to " + fd.getValue()
                        + " instead of " + descriptorsBefore.get(fd.getKey()) + " — it was put back");
                restore(fd.getKey());
            } else {
                leaks.add("leaked descriptor " + fd.getKey() + " → " + fd.getValue()
                        + " — opened during the test and never closed");
                neutralise(fd.getKey());
            }
        }
    }

    /**
     * Releases a leaked descriptor without freeing its number: dup2 puts /dev/null in its place.
     * Closing it outright would let the number be reused, and the leaking object's own close()
     * (or the GC's cleaner) could later close that unrelated new descriptor. The JDK closes its
     * own channels the same way, for the same reason.
     */
    private void neutralise(int fd) {
        try {
            Libc.dup2(devNull, fd);
        } catch (ErrnoException e) {
            // Closed by someone in the meantime: nothing to release.
        }
    }

    /** Puts back stdin, stdout or stderr as they were before the test redirected them. */
    private void restore(int fd) {
        try {
            Libc.dup2(standardStreams[fd], fd);
        } catch (ErrnoException e) {
            neutralise(fd);
        }
    }

    private Map<Integer, String> newDescriptors() {
        return FdTargets.openedSince(descriptorsBefore, target -> !isTooling(target));
    }

    /** Descriptors the JVM opens on its own, lazily: class files from jars, the JDK's own files, randomness. */
    private static boolean isTooling(String target) {
        return target.endsWith(".jar") || target.endsWith(".jmod") || target.endsWith("/modules")
                || target.startsWith(System.getProperty("java.home"))
                || target.equals("/dev/urandom") || target.equals("/dev/random") || target.equals("/dev/null")
                || target.startsWith("/proc/");
    }

    private void removeLeakedFiles(List<String> leaks) {
        for (Path folder : watchedFolders) {
            Set<String> before = filesBefore.getOrDefault(folder, Set.of());
            for (String name : Entries.names(folder)) {
                if (before.contains(name) || TOOLING_FILES.stream().anyMatch(name::startsWith) || !ours(folder, name)) {
                    continue;
                }
                Path leaked = folder.resolve(name);
                leaks.add("left " + Entries.kind(leaked) + " " + Entries.shorten(leaked) + " behind — it was removed");
                try {
                    Trees.delete(leaked);
                } catch (IOException e) {
                    leaks.add("could not remove " + Entries.shorten(leaked) + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * Whether a new entry is this run's. The temp folder is the run's own. /dev/shm, /dev/mqueue and
     * the scratch folders (/tmp, /var/tmp, /run/lock) are shared by everyone on the machine, so there
     * a new entry counts when this run's user owns it, whatever its name (another student's grading,
     * under another user, may be creating files there right now); in scratch folders, only FIFOs and
     * sockets.
     */
    private boolean ours(Path folder, String name) {
        if (folder.equals(ownFolder)) {
            return true;
        }
        // A test's own files belong in its temp folder, where everything counts.
        return Entries.leftBy(folder, folder.resolve(name), uid, false);
    }
}
