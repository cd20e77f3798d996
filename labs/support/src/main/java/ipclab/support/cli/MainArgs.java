package ipclab.support.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The command line of a demo or benchmark main, read with picocli: {@code --help} prints what the
 * program takes and exits 0; an unknown option, a missing value or a value of the wrong kind prints
 * why, then the usage, and exits 2. A misspelt option is refused rather than silently ignored, so
 * {@code --round-trip 5} never runs the default count.
 */
public final class MainArgs {

    /**
     * The name the usage shows. The {@code ipclab} launcher sets {@code -Dipclab.command} to what the
     * user typed (e.g. {@code ./ipclab bench pipes}); otherwise the main class's name.
     */
    static String commandName() {
        String fromLauncher = System.getProperty("ipclab.command");
        if (fromLauncher != null && !fromLauncher.isBlank()) {
            return fromLauncher;
        }
        String javaCommand = System.getProperty("sun.java.command", "java");
        return javaCommand.split(" ", 2)[0];
    }

    private MainArgs() {
    }

    /** Fills the {@code @Option} fields of {@code options} (a picocli {@code @Command}) from {@code args}, and returns it. */
    public static <T> T parse(T options, String[] args) {
        CommandLine line = new CommandLine(options).setCommandName(commandName());
        try {
            line.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            PrintWriter err = line.getErr();
            err.println(e.getMessage());
            line.usage(err);
            err.flush();
            System.exit(2);
        }
        if (line.isUsageHelpRequested()) {
            line.usage(line.getOut());
            line.getOut().flush();
            System.exit(0);
        }
        return options;
    }
}
