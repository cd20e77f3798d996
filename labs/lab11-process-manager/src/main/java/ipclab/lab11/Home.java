package ipclab.lab11;

import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The process manager's folder, pm2's {@code PM2_HOME} ({@code ~/.pm2}): the daemon's pid file, its
 * control socket, its log, the dump and the apps' logs. Whoever can write here controls the daemon, so
 * it must be ours alone: mode 0700, owned by us, as ssh requires of {@code ~/.ssh}. pm2 makes its
 * home 0755 and its sockets 0775 (the handout's "What pm2 does").
 *
 * <pre>
 * ~/.ipclab-pm/        0700
 *   pm.pid             0600  the daemon's pid; its fcntl lock says a daemon is alive
 *   rpc.sock           0600  the control socket (SOCK_SEQPACKET)
 *   daemon.log         0600  the daemon's own stdout and stderr
 *   dump.json          0600  pm save
 *   logs/NAME-out.log  0600  each app's stdout (-err: stderr), rotated to .1 … .keep
 *   run/               0700  FIFOs the cluster workers write their output to
 * </pre>
 *
 * @param dir the folder, absolute
 */
public record Home(Path dir) {

    /** The variable that moves the home, as {@code PM2_HOME} moves pm2's. */
    public static final String ENV = "IPCLAB_PM_HOME";
    public static final String DEFAULT_FOLDER = ".ipclab-pm";

    public Home {
        dir = dir.toAbsolutePath().normalize();
    }

    /** {@code $IPCLAB_PM_HOME}, or {@code ~/.ipclab-pm}. */
    public static Home fromEnvironment() {
        String value = System.getenv(ENV);
        return new Home(value != null && !value.isBlank() ? Path.of(value) : Path.of(System.getProperty("user.home"), DEFAULT_FOLDER));
    }

    /**
     * Makes the home (0700) and its {@code logs/} and {@code run/} folders if they are missing, and
     * refuses a home that someone else could write to.
     *
     * @throws IOException naming the folder and what is wrong with it, e.g. "… is mode 0755: it must be 0700"
     */
    public Home ensure() throws IOException {
        Files.createDirectories(dir.getParent());
        createPrivate(dir);
        check(dir);
        createPrivate(logs());
        createPrivate(run());
        return this;
    }

    public Path pidFile() {
        return dir.resolve("pm.pid");
    }

    public Path socket() {
        return dir.resolve("rpc.sock");
    }

    public Path daemonLog() {
        return dir.resolve("daemon.log");
    }

    public Path dump() {
        return dir.resolve("dump.json");
    }

    public Path logs() {
        return dir.resolve("logs");
    }

    public Path run() {
        return dir.resolve("run");
    }

    /**
     * {@code logs/NAME-out.log} or {@code logs/NAME-err.log}, pm2's names with {@code err} for {@code error}.
     *
     * @param stream {@code "out"} or {@code "err"}
     */
    public Path logFile(String app, String stream) {
        if (!stream.equals("out") && !stream.equals("err")) {
            throw new IllegalArgumentException("a log stream is out or err, not '" + stream + "'");
        }
        return logs().resolve(AppSpec.checkName(app) + "-" + stream + ".log");
    }

    /**
     * A folder only we can use. Made with its mode at once (not made, then chmod-ed), so there is
     * no moment when it is open to others.
     */
    private static void createPrivate(Path folder) throws IOException {
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // Made before: check() and the daemon's own files decide whether it is fit.
        }
    }

    /** The two rules ssh applies to ~/.ssh: ours, and closed to group and others. */
    private static void check(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " is not a folder: the process manager's home must be one");
        }
        int owner = (int) Files.getAttribute(folder, "unix:uid");
        int us = Libc.geteuid();
        if (owner != us) {
            throw new IOException(folder + " belongs to uid " + owner + ", not to uid " + us + " who runs this: use a home of your own ("
                    + ENV + ")");
        }
        int mode = (int) Files.getAttribute(folder, "unix:mode") & 07777;
        if ((mode & 077) != 0) {
            throw new IOException(folder + " is mode " + String.format("%04o", mode)
                    + ": it must be 0700, as ssh requires of ~/.ssh (chmod 700 " + folder + ")");
        }
    }
}
