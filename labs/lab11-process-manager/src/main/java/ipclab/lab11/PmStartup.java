package ipclab.lab11;

import ipclab.support.BuildFacts;
import ipclab.support.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pm startup}: prints the systemd unit, or with {@code --install} writes it, and says which
 * commands enable it. It never runs {@code systemctl} itself: enabling a service at boot is the
 * user's decision (pm2 runs {@code systemctl enable} for you, as root). Given code.
 */
@Command(name = "startup", description = "Print (or --install) a systemd unit that runs the daemon at boot and resurrects the saved apps.")
final class PmStartup implements Callable<Integer> {

    @Option(names = "--install", description = "Write the unit file instead of printing it.")
    boolean install;

    @Option(names = "--unit-dir", paramLabel = "D", description = "Where to write it (default: ~/.config/systemd/user, or /etc/systemd/system as root).")
    Path unitDir;

    @Override
    public Integer call() throws Exception {
        boolean root = Libc.geteuid() == 0;
        String user = root ? System.getProperty("user.name") : null;
        String unit = UnitFile.render(Home.fromEnvironment(), command(), user);
        if (!install) {
            System.out.print(unit);
            return Pm.OK;
        }
        Path dir = unitDir != null ? unitDir
                : root ? Path.of("/etc/systemd/system") : Path.of(System.getProperty("user.home"), ".config", "systemd", "user");
        Files.createDirectories(dir);
        Path file = dir.resolve(UnitFile.NAME);
        Files.writeString(file, unit);
        String systemctl = root ? "systemctl" : "systemctl --user";
        System.out.println("wrote " + file);
        System.out.println("to start it now and at every boot:");
        System.out.println("  " + systemctl + " daemon-reload && " + systemctl + " enable --now ipclab-pm");
        if (!root) {
            System.out.println("  loginctl enable-linger " + System.getProperty("user.name") + "   # a user unit starts at boot only with lingering on");
        }
        return Pm.OK;
    }

    /** This JVM's way of running pm: its java, the course's flags, its class path, pm's main class. */
    private static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Pm.class.getName()));
        return command;
    }
}
