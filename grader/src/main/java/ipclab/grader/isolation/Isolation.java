package ipclab.grader.isolation;

import ipclab.grader.runner.Entries;
import ipclab.support.Libc;
import ipclab.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How far student code is kept from the grader.
 *
 * <p>Run as root (Gradescope, CI), the grader starts each runner JVM as an unprivileged user of the
 * run's own: a user id no account and no process has, picked at random for this run (or the account
 * {@code -Dipclab.user} names). Two runs on one machine therefore never share a user, so neither
 * can touch the other's files, count against the other's process limit, or be blamed for (and have
 * swept) what the other left in {@code /dev/shm} or {@code /tmp}. That user can read what the tests
 * need, which the grader copies into a stage
 * folder of its own, and write only its own folders there; it cannot write the grader, any lab or
 * the reports, and it cannot read what is closed to other users (hidden test sources, solutions/).
 * It also runs with no capabilities, with {@code no_new_privs} (no set-uid program can give root
 * back), and with a bounded number of processes.
 *
 * <p>Run as anybody else, student code runs as that user and could reach everything the user can:
 * the report then says so.
 */
public final class Isolation {

    /**
     * Where a run's own user id is picked: far above the ids distributions hand out (useradd stops at
     * 60000; systemd's dynamic users and container ranges stay below 2^31 - 2^28), below 2^31 so Java's
     * int holds it.
     */
    static final int RUN_UID_BASE = 1_900_000_000;
    static final int RUN_UID_SPAN = 100_000_000;

    /** RLIMIT_NPROC for the student user: threads count too, and a lab 10 run needs a few hundred. */
    public static final int MAX_PROCESSES = 2048;

    private final Account account; // null: not isolated
    private final Optional<Cgroup> cgroup;

    private Isolation(Account account, Optional<Cgroup> cgroup) {
        this.account = account;
        this.cgroup = cgroup;
    }

    /** The user student code runs as: an account of /etc/passwd, or a user id of the run's own. */
    public record Account(String name, int uid, int gid) {
    }

    /** What this machine allows: an unprivileged user when running as root, a cgroup where one can be made. */
    public static Isolation detect(String runName) {
        Account account = null;
        if (Libc.geteuid() == 0) {
            String wanted = System.getProperty("ipclab.user", "");
            account = wanted.isBlank() ? userOfTheRun() : lookup(wanted).orElse(null);
        }
        return new Isolation(account, Cgroup.forRun(runName));
    }

    /**
     * A user id nobody has: no account in /etc/passwd, no process, no group. The kernel needs no
     * account to run a process as a user; the JVM then reports {@code user.name} as "?", which
     * nothing in the labs reads.
     */
    static Account userOfTheRun() {
        SecureRandom random = new SecureRandom();
        while (true) {
            int id = RUN_UID_BASE + random.nextInt(RUN_UID_SPAN);
            if (!inDatabase(Path.of("/etc/passwd"), id) && !inDatabase(Path.of("/etc/group"), id) && !anyProcessOf(id)) {
                return new Account("a user of this run's own", id, id);
            }
        }
    }

    private static boolean anyProcessOf(int uid) {
        return Processes.pids().stream().anyMatch(pid -> Entries.ownedBy(Path.of("/proc", Long.toString(pid)), uid));
    }

    public boolean isolated() {
        return account != null;
    }

    public Optional<Account> account() {
        return Optional.ofNullable(account);
    }

    public Optional<Cgroup> cgroup() {
        return cgroup;
    }

    /** One line for the report's header. */
    public String describe() {
        String groups = cgroup.map(g -> "each lab in a cgroup of its own"
                        + (g.limitsProcesses() ? ", pids.max" : "") + (g.limitsMemory() ? ", memory.max" : ""))
                .orElse("no cgroup (processes found through the subreaper and the run token)");
        if (account == null) {
            return "not isolated: the grader is not root, so student code runs as " + System.getProperty("user.name")
                    + " and can reach whatever that user can; " + groups;
        }
        return "isolated: student code runs as " + account.name() + " (uid " + account.uid() + "), without capabilities, at most "
                + MAX_PROCESSES + " processes; " + groups;
    }

    /**
     * The command that starts {@code command} as the student user, in {@code group} when there is one:
     * a shell joins the group (so nothing the command forks can be outside it), then as root sets
     * the process limit, then setpriv drops to the user and executes the command.
     */
    public List<String> wrap(List<String> command, Optional<Cgroup> group) {
        List<String> wrapped = new ArrayList<>();
        if (group.isPresent()) {
            wrapped.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$1\" || exit 125; shift; exec \"$@\"", "sh",
                    group.get().procsFile().toString()));
        }
        if (account != null) {
            wrapped.addAll(List.of("prlimit", "--nproc=" + MAX_PROCESSES + ":" + MAX_PROCESSES, "--",
                    "setpriv", "--reuid=" + account.uid(), "--regid=" + account.gid(), "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        }
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Whether the student user could read {@code folder}: every folder on the way has the
     * search bit for others, and the folder itself the read bit. (The user has no supplementary
     * groups, and owns nothing of the grader's, so only the "others" bits count.)
     */
    public boolean readableByStudent(Path folder) {
        if (account == null || !Files.isDirectory(folder)) {
            return false;
        }
        try {
            Path p = folder.toRealPath();
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ)) {
                return false;
            }
            for (; p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Makes {@code dir} the student user's own (mode 0700), or leaves it as it is when not isolated. */
    public void giveToStudent(Path dir) throws IOException {
        if (account != null) {
            Files.setAttribute(dir, "unix:uid", account.uid());
            Files.setAttribute(dir, "unix:gid", account.gid());
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static Optional<Account> lookup(String name) {
        try {
            return entries(Path.of("/etc/passwd")).filter(f -> f.length >= 4 && f[0].equals(name))
                    .map(f -> new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])))
                    .filter(a -> a.uid() != 0)
                    .findFirst();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether an entry of /etc/passwd or /etc/group has {@code id} as its uid or gid (fields 3 and 4). */
    private static boolean inDatabase(Path database, int id) {
        String number = Integer.toString(id);
        return entries(database).anyMatch(f -> f.length >= 3 && (f[2].equals(number) || f.length >= 4 && f[3].equals(number)));
    }

    private static Stream<String[]> entries(Path database) {
        try {
            return Files.readAllLines(database).stream().map(line -> line.split(":"));
        } catch (IOException | RuntimeException e) {
            return Stream.empty();
        }
    }
}
