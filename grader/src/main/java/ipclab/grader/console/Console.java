package ipclab.grader.console;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.AggregateCompleter;
import org.jline.reader.impl.completer.ArgumentCompleter;
import org.jline.reader.impl.completer.NullCompleter;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The course's interactive console: a prompt with history and tab completion (lab names, commands,
 * options) in front of the launcher's commands. Each command runs as {@code ./ipclab COMMAND…} in the
 * foreground with this terminal, so a demo can still wait for Enter and Ctrl-C stops only it.
 */
public final class Console {

    /** Runs one launcher command and returns its exit status. */
    @FunctionalInterface
    public interface Launcher {
        int run(List<String> arguments) throws IOException, InterruptedException;
    }

    static final List<String> COMMANDS = List.of("list", "grade", "demo", "bench", "serve", "help", "quit");

    private final Path root;
    private final Launcher launcher;

    public Console(Path root, Launcher launcher) {
        this.root = root;
        this.launcher = launcher;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Launcher viaScript = arguments -> {
            List<String> command = new ArrayList<>();
            command.add(root.resolve("ipclab").toString());
            command.addAll(arguments);
            return new ProcessBuilder(command).directory(root.toFile()).inheritIO().start().waitFor();
        };
        try (Terminal terminal = TerminalBuilder.builder().name("ipclab").system(true).build()) {
            new Console(root, viaScript).run(terminal);
        }
    }

    /** Reads commands until {@code quit} or Ctrl-D. */
    public void run(Terminal terminal) throws IOException {
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("ipclab")
                .completer(completer())
                .variable(LineReader.HISTORY_FILE, root.resolve("grader/target/console-history"))
                .build();
        PrintWriter out = terminal.writer();
        out.println("ipc-lab console — `help` lists the commands, Tab completes, Ctrl-D leaves.");
        while (true) {
            String line;
            try {
                line = reader.readLine("ipclab> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C at the prompt clears the line, as in a shell
            } catch (EndOfFileException e) {
                return;
            }
            if (!execute(reader.getParser().parse(line, line.length()).words(), out)) {
                return;
            }
        }
    }

    /**
     * Runs one command line.
     *
     * @return {@code false} when the console should end
     */
    boolean execute(List<String> words, PrintWriter out) {
        List<String> args = words.stream().filter(w -> !w.isBlank()).toList();
        if (args.isEmpty()) {
            return true;
        }
        String command = args.getFirst();
        switch (command) {
            case "quit", "exit" -> {
                return false;
            }
            case "help" -> out.println(HELP);
            case "list", "grade", "demo", "bench", "serve" -> {
                try {
                    int status = launcher.run(args);
                    if (status != 0 && !command.equals("grade")) {
                        out.println("(" + command + " ended with status " + status + ")");
                    }
                } catch (IOException e) {
                    out.println("could not run " + command + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            default -> out.println("unknown command '" + command + "': try help");
        }
        out.flush();
        return true;
    }

    private static final String HELP = """
            list                          the labs, their demos and benchmarks
            grade [N] [--solutions]       grade your labs (all, or lab N), or the reference solutions
            demo NAME [--no-pause]        a lab's live demo, e.g. demo pipes
            bench NAME                    a lab's benchmark, e.g. bench pipes
            serve [--workers N] [--sched rr|shared|reuseport]
                                          lab 10's cluster server on port 8989 (Ctrl-C stops it)
            quit                          leave (or Ctrl-D)""";

    /** Commands first; then lab topics for demo and bench, lab numbers and options for grade. */
    AggregateCompleter completer() {
        List<String> topics = labFolders().stream().map(n -> n.substring(n.indexOf('-') + 1)).toList();
        List<String> numbers = labFolders().stream().map(n -> String.valueOf(Integer.parseInt(n.substring(3, 5)))).toList();
        return new AggregateCompleter(
                new ArgumentCompleter(new StringsCompleter("demo"), new StringsCompleter(topics),
                        new StringsCompleter("--no-pause", "--labs", "--solutions"), NullCompleter.INSTANCE),
                new ArgumentCompleter(new StringsCompleter("bench"), new StringsCompleter(topics), NullCompleter.INSTANCE),
                new ArgumentCompleter(new StringsCompleter("serve"), new StringsCompleter(
                        "--port", "--workers", "--delay-ms", "--sched", "rr", "shared", "reuseport", "--labs", "--solutions")),
                new ArgumentCompleter(new StringsCompleter("grade"), new StringsCompleter(concat(numbers, "--solutions")),
                        NullCompleter.INSTANCE),
                new ArgumentCompleter(new StringsCompleter("list", "help", "quit"), NullCompleter.INSTANCE));
    }

    private List<String> labFolders() {
        try (Stream<Path> folders = Files.list(root.resolve("labs"))) {
            return folders.map(p -> p.getFileName().toString()).filter(n -> n.matches("lab\\d{2}-.+")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> concat(List<String> list, String extra) {
        List<String> all = new ArrayList<>(list);
        all.add(extra);
        return all;
    }
}
