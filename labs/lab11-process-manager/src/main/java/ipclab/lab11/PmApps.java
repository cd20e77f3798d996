package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pm}'s verbs for apps: start, list, describe, stop, restart, delete. Given code. */
final class PmApps {

    /** How long {@code logs --follow} waits for the next line: as long as poll(2) can be asked to. */
    private static final Duration FOREVER = Duration.ofMillis(Integer.MAX_VALUE);

    private PmApps() {
    }

    /** Sends {@code verb} with {@code args} to the daemon (started if none runs) and returns its result. */
    static JsonNode send(String verb, ObjectNode args) throws Exception {
        try (ControlClient client = Launcher.ensureDaemon(Home.fromEnvironment())) {
            return client.call(verb, args);
        }
    }

    static ObjectNode named(String name) {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("name", name);
        return args;
    }

    @Command(name = "start", description = "Start an app: pm start --name N [options] -- CMD ARGS…, or lab 10's cluster: pm start seed --instances N --port P")
    static final class Start implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "The app's name: 1–64 of [A-Za-z0-9._-].")
        String name;
        @Option(names = "--max-restarts", description = "Unstable exits in a row before errored (default 16).")
        Integer maxRestarts;
        @Option(names = "--min-uptime", paramLabel = "MS", description = "A shorter run is unstable (default 1000).")
        Long minUptimeMs;
        @Option(names = "--kill-timeout", paramLabel = "MS", description = "From the kill signal to SIGKILL (default 1600).")
        Long killTimeoutMs;
        @Option(names = "--env", paramLabel = "K=V", description = "A variable for the app; repeat for more.")
        Map<String, String> env = new LinkedHashMap<>();
        @Option(names = "--instances", description = "seed: how many workers (default 2).")
        int instances = 2;
        @Option(names = "--port", description = "seed: the TCP port on 127.0.0.1, 0 for one the kernel chooses (default 8989).")
        int port = 8989;
        @Option(names = "--delay-ms", description = "seed: how long each answer takes (default 10).")
        long delayMs = AppSpec.DEFAULT_DELAY_MS;
        @Parameters(paramLabel = "CMD", description = "The program and its arguments, after --; or seed, for lab 10's cluster server.")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            ObjectNode args = named(name);
            if (command.equals(List.of("seed"))) {
                args.put("mode", "cluster");
                args.put("instances", instances);
                args.put("port", port);
                args.put("delayMs", delayMs);
            } else {
                args.put("mode", "fork");
                args.set("command", Json.MAPPER.valueToTree(command));
            }
            args.set("env", Json.MAPPER.valueToTree(env));
            if (maxRestarts != null) {
                args.put("maxRestarts", maxRestarts);
            }
            if (minUptimeMs != null) {
                args.put("minUptimeMs", minUptimeMs);
            }
            if (killTimeoutMs != null) {
                args.put("killTimeoutMs", killTimeoutMs);
            }
            print(send("start", args));
            return Pm.OK;
        }
    }

    @Command(name = "list", description = "Every app: name, mode, pid, status, restarts, uptime.")
    static final class ListApps implements Callable<Integer> {
        @Option(names = "--json", description = "The daemon's JSON array, as it is.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode lines = send("list", JsonNodeFactory.instance.objectNode());
            if (json) {
                System.out.println(Json.MAPPER.writeValueAsString(lines));
            } else {
                print(lines);
            }
            return Pm.OK;
        }
    }

    @Command(name = "describe", description = "One app in full: its spec, its state, its last exit, its logs.")
    static final class Describe implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            JsonNode result = send("describe", named(name));
            result.path("state").properties().forEach(e -> System.out.println(e.getKey() + ": " + text(e.getValue())));
            System.out.println("lastExit: " + text(result.path("lastExit")));
            System.out.println("outLog: " + text(result.path("outLog")));
            System.out.println("errLog: " + text(result.path("errLog")));
            result.path("spec").properties().forEach(e -> System.out.println("spec." + e.getKey() + ": " + e.getValue()));
            return Pm.OK;
        }
    }

    @Command(name = "stop", description = "Stop an app (or all): its whole process group, SIGKILL after the kill timeout.")
    static final class Stop extends ByName {
        Stop() {
            super("stop");
        }
    }

    @Command(name = "restart", description = "Stop an app (or all), then start it again with a fresh restart count.")
    static final class Restart extends ByName {
        Restart() {
            super("restart");
        }
    }

    @Command(name = "delete", description = "Stop an app (or all) and forget it.")
    static final class Delete extends ByName {
        Delete() {
            super("delete");
        }
    }

    @Command(name = "logs", description = "An app's last log lines (out and err, by time); with --follow, new ones as they come.")
    static final class Logs implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--lines", description = "How many of the last lines (default 15).")
        int lines = SupervisorVerbs.DEFAULT_LINES;
        @Option(names = "--follow", description = "Then print new lines until interrupted (Ctrl-C).")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            ObjectNode args = named(name);
            args.put("lines", lines);
            args.put("follow", follow);
            try (ControlClient client = Launcher.ensureDaemon(Home.fromEnvironment())) {
                client.stream("logs", args, "line", line -> System.out.println(
                                line.path("stream").asText() + " | " + line.path("text").asText()),
                        follow ? FOREVER : ControlClient.DEADLINE);
            }
            return Pm.OK;
        }
    }

    @Command(name = "save", description = "Keep the apps' specs in dump.json (0600, replaced atomically), for resurrect.")
    static final class Save implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            JsonNode result = send("save", JsonNodeFactory.instance.objectNode());
            System.out.println(result.path("apps").asInt() + " apps saved in " + result.path("file").asText());
            return Pm.OK;
        }
    }

    @Command(name = "resurrect", description = "Start the apps of dump.json that are not running (stopped ones come back stopped).")
    static final class Resurrect implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            print(send("resurrect", JsonNodeFactory.instance.objectNode()));
            return Pm.OK;
        }
    }

    /** A verb on {@code NAME|all}, answered with the apps' lines. */
    abstract static class ByName implements Callable<Integer> {
        private final String verb;
        @Parameters(paramLabel = "NAME|all")
        String name;

        ByName(String verb) {
            this.verb = verb;
        }

        @Override
        public Integer call() throws Exception {
            print(send(verb, named(name)));
            return Pm.OK;
        }
    }

    /** The apps' lines as a table. */
    static void print(JsonNode lines) {
        String format = "%-16s %-7s %8s %-9s %8s %10s  %s%n";
        System.out.printf(format, "name", "mode", "pid", "status", "restarts", "uptime", "reason");
        for (JsonNode line : lines) {
            System.out.printf(format, line.path("name").asText(), line.path("mode").asText(), line.path("pid").asLong(),
                    line.path("status").asText(), line.path("restarts").asInt(), line.path("uptimeMs").asLong() / 1000 + "s",
                    text(line.path("reason")));
        }
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? "" : node.asText();
    }
}
