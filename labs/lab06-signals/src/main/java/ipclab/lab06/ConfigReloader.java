package ipclab.lab06;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import sun.misc.Signal;

/**
 * A configuration file that is re-read on SIGHUP, without a restart: the same process, the same
 * pid, the new values. This is what {@code nginx -s reload}, {@code sshd} and {@code systemctl reload}
 * do. A file that cannot be read or lacks a required key is refused, and the old configuration stays.
 *
 * <pre>ConfigReloader FILE    prints "ready PID key=value…", then "reloaded key=value…" after each SIGHUP</pre>
 */
public final class ConfigReloader {

    /** Keys every configuration must have; a file without them is refused. */
    public static final List<String> REQUIRED_KEYS = List.of("greeting");

    private final Path file;
    private final Consumer<String> log;
    private volatile Map<String, String> current = Map.of();

    public ConfigReloader(Path file, Consumer<String> log) {
        this.file = file;
        this.log = log;
    }

    /** The configuration in force now. */
    public Map<String, String> current() {
        return current;
    }

    /** The configuration in force now, as {@code key=value} pairs sorted by key. */
    public String summary() {
        return new TreeMap<>(current).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /**
     * Reads the file (in {@link Properties} format) and makes it the current configuration, all at
     * once: a reader sees either the old map or the new one, never half of each.
     *
     * @throws IOException when the file cannot be read or lacks a {@link #REQUIRED_KEYS required key};
     *                     the current configuration is then unchanged
     */
    public void reload() throws IOException {
        throw new UnsupportedOperationException("TODO: load the file with Properties, refuse it without REQUIRED_KEYS (IOException), then replace current in one volatile write");
    }

    /**
     * Installs a SIGHUP handler that reloads the file and logs {@code reloaded key=value…}, or
     * {@code reload failed: <why>; keeping key=value…} when the file is refused.
     */
    public void reloadOnHangup() {
        throw new UnsupportedOperationException("TODO: Signal.handle(new Signal(\"HUP\"), ...) calling reload() and logging \"reloaded ...\" or \"reload failed: ...; keeping ...\"");
    }

    public static void main(String[] args) throws IOException {
        ConfigReloader config = new ConfigReloader(Path.of(args[0]), line -> {
            System.out.println(line);
            System.out.flush();
        });
        Dispositions.stopIgnoring(SignalName.HUP); // nohup would have us ignore it
        config.reload();
        config.reloadOnHangup();
        System.out.println("ready " + ProcessHandle.current().pid() + " " + config.summary());
        System.out.flush();
        // Serve until stdin ends; the handler runs on its own thread meanwhile.
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
}
