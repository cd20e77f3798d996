package ipclab.grader;

import ipclab.grader.isolation.Cgroup;
import ipclab.grader.isolation.Isolation;
import ipclab.grader.runner.Entries;
import ipclab.grader.runner.RunProcesses;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.ProcessTree;
import ipclab.testkit.Processes;
import ipclab.testkit.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The grader's own clean-up after a lab's runner JVM, which does not rely on anything the runner
 * (and so student code) did: every process of the lab is killed, found three ways — its cgroup,
 * the grader's descendants (the grader is a child subreaper, so a process that double-forked or
 * called setsid is still one) and the run token in its environment — in rounds until a round finds
 * nothing, which also ends a fork bomb. Files the lab's user left in the machine's shared folders
 * are removed and named.
 */
final class RunSweeper {

    private static final int MAX_ROUNDS = 200;

    private final String token;
    private final Optional<Cgroup> group;
    private final Isolation isolation;
    private final int owner;
    private final Set<Long> started = new HashSet<>();
    private final Map<Path, Set<String>> before = new HashMap<>();

    RunSweeper(String token, Optional<Cgroup> group, Isolation isolation) {
        this.token = token;
        this.group = group;
        this.isolation = isolation;
        this.owner = isolation.account().map(Isolation.Account::uid).orElse(Libc.geteuid());
        for (Path folder : Entries.SHARED_FOLDERS) {
            before.put(folder, Entries.names(folder));
        }
    }

    /** Makes this process a child subreaper: orphans of its descendants are re-parented to it, not to init. */
    static void becomeSubreaper() {
        try {
            Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1);
        } catch (ErrnoException | RuntimeException e) {
            // Linux before 3.4: the token and the cgroup still find processes.
        }
    }

    /** A runner JVM the JDK started and will reap itself. */
    void started(long pid) {
        started.add(pid);
    }

    /** Kills every process of the lab; returns how many were found. */
    int sweepProcesses() {
        int killed = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            Set<ProcessHandle> found = new LinkedHashSet<>(RunProcesses.find(token));
            group.ifPresent(g -> g.processes().forEach(pid -> ProcessHandle.of(pid).ifPresent(found::add)));
            found.removeIf(p -> p.pid() == ProcessHandle.current().pid());
            reapZombies();
            if (found.isEmpty()) {
                break;
            }
            group.ifPresent(g -> g.kill(Duration.ofSeconds(5)));
            found.forEach(ProcessHandle::destroyForcibly);
            ProcessTree.awaitExit(List.copyOf(found), Duration.ofSeconds(5));
            killed += found.size();
        }
        reapZombies();
        return killed;
    }

    /**
     * Orphans re-parented to this JVM (it is a subreaper) become its zombies when they die, and the
     * JDK reaps only the children it started: reap the others, or they would count against the
     * student user's process limit for the rest of the run.
     */
    private void reapZombies() {
        for (long pid : Processes.children(ProcessHandle.current().pid())) {
            if (!started.contains(pid)) {
                Processes.reapOrphan(pid);
            }
        }
    }

    /**
     * Removes what the lab's user left in /dev/shm, /dev/mqueue, /tmp, /var/tmp and /run/lock since
     * the sweeper was made. Isolated, everything new the student user owns is the lab's; otherwise
     * only POSIX objects and, in the scratch folders, FIFOs and sockets the grader's own user owns.
     */
    List<String> sweepFiles() {
        List<String> removed = new ArrayList<>();
        String perfData = isolation.account().map(a -> "hsperfdata_" + a.name()).orElse(null);
        for (Path folder : Entries.SHARED_FOLDERS) {
            for (String name : Entries.names(folder)) {
                Path entry = folder.resolve(name);
                if (before.get(folder).contains(name) || !Entries.leftBy(folder, entry, owner, isolation.isolated())) {
                    continue;
                }
                boolean jvmOwn = name.equals(perfData); // the JVMs' performance data, not the lab's doing
                try {
                    Trees.delete(entry);
                    if (!jvmOwn) {
                        removed.add("left " + Entries.shorten(entry) + " behind after its tests — it was removed");
                    }
                } catch (IOException e) {
                    removed.add("left " + Entries.shorten(entry) + " behind after its tests, and it could not be removed: "
                            + e.getMessage());
                }
            }
        }
        return removed;
    }
}
