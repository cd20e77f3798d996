package ipclab.lab11;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The systemd unit that starts the daemon at boot: {@code pm startup}. pm2's {@code startup} renders
 * a {@code Type=forking} unit whose {@code ExecStart} is {@code pm2 resurrect}, with a
 * {@code PIDFile}, and as root writes it to {@code /etc/systemd/system} and runs
 * {@code systemctl enable} itself ({@code lib/API/Startup.js} 177, 243–250).
 *
 * <p>Here systemd is the supervisor: {@code Type=simple} with {@code daemon --foreground
 * --resurrect}, so there is no fork to follow and no pid file to trust; {@code KillMode=mixed}
 * sends SIGTERM to the daemon (which stops its apps), and SIGKILL to the whole cgroup after the
 * timeout, which also reaches an app that left its process group with {@code setsid}.
 */
public final class UnitFile {

    /** The unit's file name. */
    public static final String NAME = "ipclab-pm.service";

    private UnitFile() {
    }

    /**
     * The unit's text.
     *
     * @param home   the daemon's home, set as {@code IPCLAB_PM_HOME} and named in the description
     * @param pm     the command line that runs {@code pm}, without its verb: the JVM, its flags, the class path, the main class
     * @param asUser the user it runs as for a system unit (started by root); {@code null} for a user unit ({@code systemctl --user})
     */
    public static String render(Home home, List<String> pm, String asUser) {
        throw new UnsupportedOperationException("TODO: [Unit] Description, After=network.target; [Service] Type=simple, User= when asUser is given, Environment=IPCLAB_PM_HOME=home, ExecStart=<pm quoted> daemon --foreground --resurrect, ExecStop=<pm> kill, KillMode=mixed, TimeoutStopSec=30, Restart=on-failure; [Install] WantedBy=default.target (multi-user.target for a system unit) (handout, step 7)");
    }

    /** One word of a command line as systemd reads it: in double quotes when it has a space or a quote. */
    static String quote(String word) {
        String escaped = escape(word).replace("\\", "\\\\").replace("\"", "\\\"");
        return escaped.isEmpty() || escaped.chars().anyMatch(c -> c == ' ' || c == '"' || c == '\'' || c == '\\' || c == '\t')
                ? "\"" + escaped + "\"" : escaped;
    }

    /** systemd expands {@code %} specifiers everywhere in a unit: a literal one is {@code %%}. */
    private static String escape(String text) {
        return text.replace("%", "%%");
    }
}
