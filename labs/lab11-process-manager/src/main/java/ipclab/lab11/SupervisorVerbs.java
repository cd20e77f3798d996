package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The control socket's verbs for apps, each a thin layer over the {@link Supervisor}: read the
 * arguments, refuse bad ones with a sentence, answer with the apps' lines. A stop answers once its
 * processes are gone, from a later callback on the loop. Given code.
 */
final class SupervisorVerbs {

    /** A stop or delete of a name or of {@code all}. */
    @FunctionalInterface
    private interface Action {
        CompletableFuture<List<ProcessInfo>> apply(String target) throws Refusal;
    }

    private SupervisorVerbs() {
    }

    /** {@code logs} without {@code lines}: as many as pm2 shows ({@code pm2 logs --lines}, 15). */
    static final int DEFAULT_LINES = 15;
    /** More lines than this are not sent at once: each is a datagram, and the outbox has a cap. */
    static final int MAX_LINES = 10_000;

    static void register(Daemon daemon, Supervisor supervisor, EventBus bus, LogBook logs) {
        daemon.register("start", (request, reply) -> {
            AppSpec spec;
            try {
                spec = AppSpec.fromJson(request.args());
            } catch (IllegalArgumentException e) {
                throw new Refusal("start: " + e.getMessage(), request.id());
            }
            reply.ok(lines(supervisor.start(spec)));
        });
        daemon.register("list", (request, reply) -> reply.ok(lines(supervisor.list())));
        daemon.register("describe", (request, reply) -> reply.ok(supervisor.describe(name(request, false))));
        daemon.register("stop", later(supervisor::stop));
        daemon.register("restart", later(supervisor::restart));
        daemon.register("delete", later(supervisor::delete));
        daemon.register("save", (request, reply) -> {
            List<SavedApp> apps = supervisor.saved();
            DumpFile.write(daemon.home().dump(), apps); // fsync on the loop: a few ms, once in a while
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("file", daemon.home().dump().toString());
            result.put("apps", apps.size());
            reply.ok(result);
        });
        daemon.register("resurrect", (request, reply) -> {
            List<SavedApp> saved;
            try {
                saved = DumpFile.read(daemon.home().dump());
            } catch (IOException e) {
                throw new Refusal("resurrect: " + e.getMessage(), request.id());
            }
            reply.ok(lines(supervisor.resurrect(saved)));
        });
        daemon.register("logs", (request, reply) -> {
            String app = name(request, false);
            supervisor.describe(app); // refuses an unknown name
            int lines = request.args().path("lines").asInt(DEFAULT_LINES);
            if (lines < 0 || lines > MAX_LINES) {
                throw new Refusal("logs: 'lines' must be 0–" + MAX_LINES + ", not " + lines, request.id());
            }
            logs.logs(app, lines, request.args().path("follow").asBoolean(false), reply);
        });
        daemon.register("subscribe", (request, reply) -> {
            String app = request.args().has("name") ? name(request, true) : null;
            if (app != null && !app.equals("all")) {
                supervisor.describe(app); // refuses an unknown name
            }
            bus.subscribe(app == null || app.equals("all") ? null : app, reply);
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("subscribed", app == null ? "all" : app);
            reply.ok(result);
        });
    }

    /** A verb whose answer comes when {@code action}'s future completes. */
    private static Verb later(Action action) {
        return (request, reply) -> action.apply(name(request, true)).whenComplete((done, failure) -> {
            if (failure != null) {
                reply.error(request.verb() + ": " + failure.getMessage());
            } else {
                reply.ok(lines(done));
            }
        });
    }

    /** The {@code name} argument: an app's name, or {@code all} where {@code allowAll}. */
    private static String name(Request request, boolean allowAll) throws Refusal {
        JsonNode name = request.args().get("name");
        if (name == null || !name.isTextual()) {
            throw new Refusal(request.verb() + ": 'name' must be an app's name" + (allowAll ? " or all" : ""), request.id());
        }
        if (allowAll && name.asText().equals("all")) {
            return "all";
        }
        try {
            return AppSpec.checkName(name.asText());
        } catch (IllegalArgumentException e) {
            throw new Refusal(request.verb() + ": " + e.getMessage(), request.id());
        }
    }

    private static ArrayNode lines(List<ProcessInfo> infos) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        infos.forEach(info -> array.add(info.toJson()));
        return array;
    }
}
