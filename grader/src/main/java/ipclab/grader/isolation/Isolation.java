package ipclab.grader.isolation;

import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How far student code is kept from the grader.
 *
 * <p>Run as root (Gradescope, CI), the grader starts each runner JVM as an unprivileged user: the
 * dedicated {@value #DEDICATED_USER} where it exists (the Gradescope setup creates it), else
 * {@code nobody}. That user can read what the tests need, which the grader copies into a stage
 * folder of its own, and write only its own folders there; it cannot write the grader, any lab or
 * the reports, and it cannot read what is closed to other users (hidden test sources, solutions/).
 * It also runs with no capabilities, with {@code no_new_privs} (no set-uid program can give root
 * back), and with a bounded number of processes.
 *
 * <p>Run as anybody else, student code runs as that user and could reach everything the user can:
 * the report then says so.
 */
public final class Isolation {

    /** The user student code runs as, when the grader runs as root and this user exists. */
    public static final String DEDICATED_USER = "ipclab-student";

    /** RLIMIT_NPROC for the student user: threads count too, and a lab 10 run needs a few hundred. */
    public static final int MAX_PROCESSES = 2048;

    private final Account account; // null: not isolated
    private final Optional<Cgroup> cgroup;

    private Isolation(Account account, Optional<Cgroup> cgroup) {
        this.account = account;
        this.cgroup = cgroup;
    }

    /** A user of the system, from /etc/passwd. */
    public record Account(String name, int uid, int gid) {
    }

    /** What this machine allows: an unprivileged user when running as root, a cgroup where one can be made. */
    public static Isolation detect(String runName) {
        Account account = null;
        if (Libc.geteuid() == 0) {
            String wanted = System.getProperty("ipclab.user", "");
            account = (wanted.isBlank() ? lookup(DEDICATED_USER).or(() -> lookup("nobody")) : lookup(wanted)).orElse(null);
        }
        return new Isolation(account, Cgroup.forRun(runName));
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
            return Files.readAllLines(Path.of("/etc/passwd")).stream()
                    .map(line -> line.split(":"))
                    .filter(f -> f.length >= 4 && f[0].equals(name))
                    .map(f -> new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])))
                    .filter(a -> a.uid() != 0)
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
