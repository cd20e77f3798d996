package ipclab.support.demo;

import ipclab.support.cli.MainArgs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Tells a live demo step by step. Live (a terminal, no {@code --no-pause}) it waits for Enter
 * between steps, so an instructor can talk over each one; otherwise it runs straight through,
 * which is how the project's tests and a recorded run use it.
 *
 * <pre>{@code
 * Narrator n = Narrator.fromArgs(args);
 * n.step("Two descriptors, one open file description");
 * n.say("dup(2) gives fd " + copy + " for the same open file description as fd " + fd);
 * n.shell("ls", "-l", "/proc/" + pid + "/fd");   // the kernel's own view
 * }</pre>
 */
public final class Narrator {

    private final PrintStream out;
    private final boolean live;
    private final BufferedReader keyboard;
    private int steps;

    public Narrator(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
        this.keyboard = live ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
    }

    /** What every demo takes: {@code --no-pause}, and {@code --help}. */
    @Command(description = "A live demo: it shows each step and the kernel's view (/proc), and waits for Enter between steps.")
    private static final class DemoOptions {
        @Option(names = "--no-pause", description = "run straight through instead of waiting for Enter between steps")
        boolean noPause;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
    }

    /**
     * Live when a terminal is attached and the arguments do not contain {@code --no-pause}. Any other
     * argument is refused with the usage; {@code --help} prints it.
     */
    public static Narrator fromArgs(String[] args) {
        boolean noPause = MainArgs.parse(new DemoOptions(), args).noPause;
        return new Narrator(System.out, !noPause && System.console() != null && System.console().isTerminal());
    }

    public boolean live() {
        return live;
    }

    /** Starts a numbered step; live, it first waits for Enter. */
    public void step(String title) {
        if (live && steps > 0) {
            out.print("\n  [Enter] next step ");
            out.flush();
            try {
                keyboard.readLine();
            } catch (IOException e) {
                // No keyboard after all: carry on without pausing.
            }
        }
        steps++;
        out.println();
        out.println("── " + steps + ". " + title + " " + "─".repeat(Math.max(3, 70 - title.length())));
    }

    /** A line of explanation. */
    public void say(String text) {
        out.println("   " + text);
    }

    /** Runs a command (such as {@code ls -l /proc/PID/fd}) and shows what it prints, indented. */
    public void shell(String... command) {
        out.println("   $ " + String.join(" ", command));
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
            text.lines().forEach(line -> out.println("     " + line));
        } catch (IOException e) {
            out.println("     (could not run it: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
