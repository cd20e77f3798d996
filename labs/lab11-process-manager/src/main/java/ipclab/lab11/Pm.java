package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pm}, the process manager's command line: pm2's {@code bin/pm2}. Each verb is a request on
 * the control socket; the first one starts the daemon ({@link Launcher#ensureDaemon}). Errors are
 * plain sentences on stderr, and the exit status says what kind:
 * {@value #OK} done, {@value #REFUSED} refused by the daemon, {@value #USAGE} a wrong command line,
 * {@value #UNREACHABLE} no daemon could be reached or started. Given code.
 */
@Command(name = "pm", mixinStandardHelpOptions = true, subcommands = {Pm.Ping.class, PmApps.Start.class, PmApps.ListApps.class, PmApps.Describe.class,
        PmApps.Stop.class, PmApps.Restart.class, PmApps.Delete.class, PmApps.Logs.class, PmApps.Save.class, PmApps.Resurrect.class, PmStartup.class, Pm.Kill.class, Pm.DaemonCommand.class},
        description = "A small pm2: a daemon that runs your apps, and this command line to talk to it (home: $" + Home.ENV + ").")
public final class Pm {

    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;

    private Pm() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit status, without exiting: for tests, and for lab 12's {@code Pm}. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Pm());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            PrintWriter err = cl.getErr();
            if (e instanceof Refusal) {
                err.println("pm: " + e.getMessage());
                return REFUSED;
            }
            err.println("pm: " + (e instanceof IOException ? e.getMessage() : e.toString()));
            return UNREACHABLE;
        });
        return commandLine.execute(args);
    }

    @Command(name = "ping", description = "Start the daemon if none runs, and say who it is.")
    static final class Ping implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (ControlClient client = Launcher.ensureDaemon(Home.fromEnvironment())) {
                JsonNode pong = client.call("ping");
                System.out.println("daemon " + pong.path("pid").asLong() + ", up " + pong.path("uptimeMs").asLong() + " ms, home "
                        + pong.path("home").asText() + ", version " + pong.path("version").asInt());
                return OK;
            }
        }
    }

    @Command(name = "kill", description = "Stop the daemon (and, from step 7, every app), and wait until it has exited.")
    static final class Kill implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Home home = Home.fromEnvironment();
            Optional<ControlClient> running = ControlClient.connectIfServed(home.socket());
            if (running.isEmpty()) {
                System.out.println("no daemon is running");
                return OK;
            }
            try (ControlClient client = running.get()) {
                JsonNode result = client.call("kill");
                // The daemon closes our connection as it exits: its end of stream is our proof.
                if (!client.awaitEnd(ControlClient.DEADLINE)) {
                    throw new IOException("daemon " + result.path("pid").asLong() + " answered kill but had not exited after "
                            + ControlClient.DEADLINE.toSeconds() + " s");
                }
                System.out.println("daemon " + result.path("pid").asLong() + " stopped");
                return OK;
            }
        }
    }

    @Command(name = "daemon", description = "Run the daemon in this process, for systemd or a terminal: no detaching, logs on stdout.")
    static final class DaemonCommand implements Callable<Integer> {
        @Option(names = "--foreground", required = true, description = "Run in the foreground (the only way this command runs).")
        boolean foreground;

        @Option(names = "--owner-uid", description = "The uid allowed to connect (default: ours). For tests: play a stranger.")
        Integer ownerUid;

        @Option(names = "--resurrect", description = "Start the apps of dump.json once serving (what systemd's unit asks).")
        boolean resurrect;

        @Override
        public Integer call() {
            List<String> args = new ArrayList<>(List.of("--foreground"));
            if (ownerUid != null) {
                args.addAll(List.of("--owner-uid", ownerUid.toString()));
            }
            if (resurrect) {
                args.add("--resurrect");
            }
            return DaemonMain.run(DaemonMain.Options.parse(args.toArray(String[]::new)));
        }
    }
}
