package ipclab.lab11;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything the daemon needs to run one app, as {@code pm start} sends it and {@code dump.json}
 * keeps it. pm2 keeps the same settings in an app's {@code pm2_env} (its names in brackets below);
 * the defaults are pm2's ({@code lib/God.js} 471–472, {@code constants.js} 83 and 103–105 of pm2 7.0.4).
 * Only what the user gave is kept: the environment holds the {@code --env K=V} pairs, not the whole
 * environment of the shell that ran {@code pm} (pm2's dump holds all of it).
 *
 * @param name            the app's name, also part of file names ({@code logs/NAME-out.log}): see {@link #checkName}
 * @param mode            fork (one process of your command) or cluster (lab 10's master and workers) ({@code exec_mode})
 * @param command         fork mode: the program and its arguments, run without a shell; empty in cluster mode
 * @param cwd             the working directory, absolute; {@code null} runs the app in the daemon's home ({@code cwd})
 * @param env             variables added to the app's environment ({@code env})
 * @param instances       cluster mode: how many workers; fork mode: 1 ({@code instances})
 * @param port            cluster mode: the TCP port, 0 for one the kernel chooses
 * @param delayMs         cluster mode: how long the seed program's workers wait before they answer
 * @param workerMain      cluster mode: the workers' main class, {@code null} for lab 10's worker
 * @param maxRestarts     this many unstable exits in a row make the app errored ({@code max_restarts}, 16)
 * @param minUptimeMs     a run shorter than this is unstable ({@code min_uptime}, 1000 ms)
 * @param killTimeoutMs   how long a stop waits after the kill signal before SIGKILL ({@code kill_timeout}, 1600 ms)
 * @param killSignal      the signal a stop sends first ({@code kill_signal}, SIGINT)
 * @param listenTimeoutMs cluster mode: how long a new worker may take to listen ({@code listen_timeout}, 3000 ms)
 * @param log             how large log files grow and how many are kept
 */
public record AppSpec(String name, Mode mode, List<String> command,
                      @JsonSerialize(using = ToStringSerializer.class) Path cwd,
                      Map<String, String> env, int instances, int port, long delayMs, String workerMain,
                      int maxRestarts, long minUptimeMs, long killTimeoutMs, String killSignal,
                      long listenTimeoutMs, LogPolicy log) {

    public static final int DEFAULT_MAX_RESTARTS = 16;
    public static final long DEFAULT_MIN_UPTIME_MS = 1000;
    public static final long DEFAULT_KILL_TIMEOUT_MS = 1600;
    public static final String DEFAULT_KILL_SIGNAL = "SIGINT";
    public static final long DEFAULT_LISTEN_TIMEOUT_MS = 3000;
    /** The seed program's "work" before it answers. */
    public static final long DEFAULT_DELAY_MS = 10;
    public static final int MAX_INSTANCES = 64;
    /** A command longer than this is not a command line (Linux allows 128 KiB per argument, 2 MiB in all). */
    public static final int MAX_COMMAND_BYTES = 128 * 1024;

    /** How an app runs: pm2's {@code exec_mode}, {@code fork_mode} or {@code cluster_mode}. */
    public enum Mode {
        /** One process of the user's command, in a process group of its own. */
        FORK,
        /** Lab 10's cluster: the daemon is the master, the workers share the port. */
        CLUSTER;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The signals a stop may begin with, by name: the ones a program can catch to clean up. */
    private static final Map<String, Integer> KILL_SIGNALS = Map.of(
            "SIGHUP", 1, "SIGINT", 2, "SIGQUIT", 3, "SIGKILL", 9, "SIGUSR1", 10, "SIGUSR2", 12, "SIGTERM", 15);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public AppSpec {
        checkName(name);
        if (mode == null) {
            throw new IllegalArgumentException("'mode' must be fork or cluster");
        }
        command = List.copyOf(command == null ? List.of() : command);
        env = Map.copyOf(env == null ? Map.of() : env);
        checkCommand(mode, command);
        if (cwd != null && !cwd.isAbsolute()) {
            throw new IllegalArgumentException("'cwd' must be an absolute path, not '" + cwd + "': the daemon runs in its home, not where you are");
        }
        env.forEach((key, value) -> {
            if (!ENV_KEY.matcher(key).matches() || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("'env' holds '" + key + "': names are [A-Za-z_][A-Za-z0-9_]*, values have no NUL byte");
            }
        });
        int maxInstances = mode == Mode.FORK ? 1 : MAX_INSTANCES;
        if (instances < 1 || instances > maxInstances) {
            throw new IllegalArgumentException("'instances' must be 1–" + maxInstances + " in " + mode.label() + " mode, not " + instances);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'port' must be 0–65535, not " + port);
        }
        atLeast("delayMs", delayMs, 0);
        atLeast("maxRestarts", maxRestarts, 1);
        atLeast("minUptimeMs", minUptimeMs, 0);
        atLeast("killTimeoutMs", killTimeoutMs, 0);
        atLeast("listenTimeoutMs", listenTimeoutMs, 1);
        if (!KILL_SIGNALS.containsKey(killSignal)) {
            throw new IllegalArgumentException("'killSignal' must be one of " + KILL_SIGNALS.keySet().stream().sorted().toList()
                    + ", not '" + killSignal + "'");
        }
        if (log == null) {
            log = LogPolicy.DEFAULT;
        }
    }

    /** A fork-mode app with pm2's defaults: {@code command} runs as it is, without a shell. */
    public static AppSpec fork(String name, List<String> command) {
        return new AppSpec(name, Mode.FORK, command, null, Map.of(), 1, 0, 0, null, DEFAULT_MAX_RESTARTS,
                DEFAULT_MIN_UPTIME_MS, DEFAULT_KILL_TIMEOUT_MS, DEFAULT_KILL_SIGNAL, DEFAULT_LISTEN_TIMEOUT_MS, LogPolicy.DEFAULT);
    }

    /** A cluster-mode app with pm2's defaults: lab 10's seed program, {@code instances} workers on {@code port}. */
    public static AppSpec cluster(String name, int instances, int port, long delayMs) {
        return new AppSpec(name, Mode.CLUSTER, List.of(), null, Map.of(), instances, port, delayMs, null, DEFAULT_MAX_RESTARTS,
                DEFAULT_MIN_UPTIME_MS, DEFAULT_KILL_TIMEOUT_MS, DEFAULT_KILL_SIGNAL, DEFAULT_LISTEN_TIMEOUT_MS, LogPolicy.DEFAULT);
    }

    public AppSpec withCwd(Path value) {
        return new AppSpec(name, mode, command, value, env, instances, port, delayMs, workerMain, maxRestarts,
                minUptimeMs, killTimeoutMs, killSignal, listenTimeoutMs, log);
    }

    public AppSpec withEnv(Map<String, String> value) {
        return new AppSpec(name, mode, command, cwd, value, instances, port, delayMs, workerMain, maxRestarts,
                minUptimeMs, killTimeoutMs, killSignal, listenTimeoutMs, log);
    }

    public AppSpec withWorkerMain(String value) {
        return new AppSpec(name, mode, command, cwd, env, instances, port, delayMs, value, maxRestarts,
                minUptimeMs, killTimeoutMs, killSignal, listenTimeoutMs, log);
    }

    /** pm2's {@code --max-restarts} and {@code --min-uptime}. */
    public AppSpec withRestarts(int maxRestartsValue, long minUptimeMsValue) {
        return new AppSpec(name, mode, command, cwd, env, instances, port, delayMs, workerMain, maxRestartsValue,
                minUptimeMsValue, killTimeoutMs, killSignal, listenTimeoutMs, log);
    }

    /** pm2's {@code --kill-timeout} and {@code kill_signal}. */
    public AppSpec withKill(String signal, long timeoutMs) {
        return new AppSpec(name, mode, command, cwd, env, instances, port, delayMs, workerMain, maxRestarts,
                minUptimeMs, timeoutMs, signal, listenTimeoutMs, log);
    }

    public AppSpec withListenTimeoutMs(long value) {
        return new AppSpec(name, mode, command, cwd, env, instances, port, delayMs, workerMain, maxRestarts,
                minUptimeMs, killTimeoutMs, killSignal, value, log);
    }

    public AppSpec withLog(LogPolicy value) {
        return new AppSpec(name, mode, command, cwd, env, instances, port, delayMs, workerMain, maxRestarts,
                minUptimeMs, killTimeoutMs, killSignal, listenTimeoutMs, value);
    }

    /** The number of {@link #killSignal}, for {@code kill(2)}. */
    public int killSignalNumber() {
        return KILL_SIGNALS.get(killSignal);
    }

    /**
     * Refuses a name that could not safely be part of a file name. A name becomes
     * {@code logs/NAME-out.log}: {@code ../x} would write outside the home, {@code a/b} into a folder
     * nobody made, and {@code .} or {@code ..} name folders themselves.
     *
     * @throws IllegalArgumentException with the sentence the daemon replies with
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'name' must be 1–64 of [A-Za-z0-9._-], not "
                    + (name == null ? "missing" : "'" + name + "'"));
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'name' must not be '" + name + "': it would name a folder, not a log file");
        }
        return name;
    }

    private static void checkCommand(Mode mode, List<String> command) {
        if (mode == Mode.CLUSTER) {
            if (!command.isEmpty()) {
                throw new IllegalArgumentException("'command' must be empty in cluster mode: the workers run lab 10's worker (see 'workerMain')");
            }
            return;
        }
        if (command.isEmpty() || command.getFirst().isEmpty()) {
            throw new IllegalArgumentException("'command' must not be empty in fork mode: it is the program to run and its arguments");
        }
        long bytes = 0;
        for (String argument : command) {
            if (argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("'command' holds an argument with a NUL byte, which no argv can carry");
            }
            bytes += argument.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        if (bytes > MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException("'command' is " + bytes + " bytes long; at most " + MAX_COMMAND_BYTES + " are accepted");
        }
    }

    private static void atLeast(String field, long value, long least) {
        if (value < least) {
            throw new IllegalArgumentException("'" + field + "' must be at least " + least + ", not " + value);
        }
    }

    // ---- JSON: the wire and dump.json

    /** This spec as a JSON object, every field written out. */
    public JsonNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    /**
     * A spec from a JSON object; a field left out takes pm2's default.
     *
     * @throws IllegalArgumentException with one sentence that names the field at fault
     */
    public static AppSpec fromJson(JsonNode json) {
        try {
            return Json.MAPPER.treeToValue(json, AppSpec.class);
        } catch (ValueInstantiationException e) {
            // Our own validation, thrown from the constructor: its sentence is the answer.
            throw new IllegalArgumentException(e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage(), e);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("'" + e.getPropertyName() + "' is not a field of an app (fields: "
                    + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()) + ")", e);
        } catch (MismatchedInputException e) {
            String why = e.getOriginalMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException(e.getPath().isEmpty() ? "an app must be a JSON object: " + why
                    : "'" + e.getPath().getLast().getFieldName() + "' has the wrong type: " + why, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an app must be a JSON object: " + e.getOriginalMessage(), e);
        }
    }

    /** Jackson's way in: the fields present, {@code null} for those left out. */
    @JsonCreator
    static AppSpec fromJsonFields(@JsonProperty("name") String name, @JsonProperty("mode") String mode,
                                  @JsonProperty("command") List<String> command, @JsonProperty("cwd") String cwd,
                                  @JsonProperty("env") Map<String, String> env, @JsonProperty("instances") Integer instances,
                                  @JsonProperty("port") Integer port, @JsonProperty("delayMs") Long delayMs,
                                  @JsonProperty("workerMain") String workerMain, @JsonProperty("maxRestarts") Integer maxRestarts,
                                  @JsonProperty("minUptimeMs") Long minUptimeMs, @JsonProperty("killTimeoutMs") Long killTimeoutMs,
                                  @JsonProperty("killSignal") String killSignal, @JsonProperty("listenTimeoutMs") Long listenTimeoutMs,
                                  @JsonProperty("log") LogPolicy log) {
        Mode parsedMode = mode == null ? Mode.FORK : switch (mode) {
            case "fork" -> Mode.FORK;
            case "cluster" -> Mode.CLUSTER;
            default -> throw new IllegalArgumentException("'mode' must be fork or cluster, not '" + mode + "'");
        };
        return new AppSpec(name, parsedMode, command, cwd == null ? null : Path.of(cwd), env,
                or(instances, 1), or(port, 0), or(delayMs, parsedMode == Mode.CLUSTER ? DEFAULT_DELAY_MS : 0), workerMain,
                or(maxRestarts, DEFAULT_MAX_RESTARTS), or(minUptimeMs, DEFAULT_MIN_UPTIME_MS),
                or(killTimeoutMs, DEFAULT_KILL_TIMEOUT_MS), killSignal == null ? DEFAULT_KILL_SIGNAL : killSignal,
                or(listenTimeoutMs, DEFAULT_LISTEN_TIMEOUT_MS), log);
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
