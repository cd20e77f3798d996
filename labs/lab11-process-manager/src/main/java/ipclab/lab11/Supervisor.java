package ipclab.lab11;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The apps and their lives: start, stop, restart, delete, and what happens when one exits on its
 * own. pm2's {@code God} ({@code lib/God.js}, {@code lib/God/Methods.js}, {@code ActionMethods.js}).
 * Every change is published on the {@link EventBus}: {@code launch}, {@code online}, {@code exit},
 * {@code errored}, {@code stopping}, {@code stopped}. On the loop thread only.
 */
public final class Supervisor {

    /** More apps than this are refused: each costs descriptors and a process group. */
    public static final int MAX_APPS = 256;

    private final EventLoop loop;
    private final Home home;
    private final EventBus bus;
    private final LogBook logs;
    /** By name, in the order they were started: {@code pm list}'s order. A fork-mode app has one, a cluster one per worker slot. */
    private final Map<String, List<App>> apps = new LinkedHashMap<>();

    public Supervisor(EventLoop loop, Home home, EventBus bus, LogBook logs) {
        this.loop = loop;
        this.home = home;
        this.bus = bus;
        this.logs = logs;
    }

    /**
     * Starts a new app and returns its line of {@code list}.
     *
     * @throws Refusal when an app of that name exists, when there are {@link #MAX_APPS} already, or for cluster mode
     */
    public List<ProcessInfo> start(AppSpec spec) throws Refusal {
        throw new UnsupportedOperationException("TODO: refuse a name that exists (an app called ... exists already) and more than MAX_APPS apps; fork mode: one App for the spec; cluster mode: the slots of ClusterApp.start(loop, spec, home, logs, clusterListener()) (step 6); keep them, launch each with no delay, return their info() (handout, step 5)");
    }

    /** Every app's line, in the order they were started. */
    public List<ProcessInfo> list() {
        throw new UnsupportedOperationException("TODO: every app's info(), in the order they were started (handout, step 5)");
    }

    /**
     * Stops {@code target} (an app's name, or {@code all}); completes with their lines once every
     * process of theirs is gone.
     */
    public CompletableFuture<List<ProcessInfo>> stop(String target) throws Refusal {
        throw new UnsupportedOperationException("TODO: select the target, stopOne each, and complete with their info() once all are stopped (handout, step 5)");
    }

    /**
     * Stops {@code target}, then starts it again with a fresh restart history: a restart by hand
     * gives an errored app its chances back.
     */
    public CompletableFuture<List<ProcessInfo>> restart(String target) throws Refusal {
        throw new UnsupportedOperationException("TODO: stop the target like stop(), then give each app a fresh History, attempt 0, no reason, restarts + 1, and launch it at once (handout, step 5)");
    }

    /** Stops {@code target}, then forgets it; completes with the lines they had last. */
    public CompletableFuture<List<ProcessInfo>> delete(String target) throws Refusal {
        throw new UnsupportedOperationException("TODO: stop the target like stop(), then remove each from the apps; a deleted cluster app is shut down (ClusterApp.shutdown: its listener and FIFOs) (handout, step 5)");
    }

    /** Every app as {@code save} keeps it: its spec, and whether it is stopped (an errored app counts as stopped). */
    public List<SavedApp> saved() {
        return apps.values().stream().map(List::getFirst)
                .map(app -> new SavedApp(app.spec, app.status == Status.STOPPED || app.status == Status.ERRORED || app.status == Status.STOPPING))
                .toList();
    }

    /**
     * Brings back what {@code save} kept: each app whose name is not here already, started, or
     * listed as stopped when it was saved stopped. Returns every app's line.
     */
    public List<ProcessInfo> resurrect(List<SavedApp> saved) {
        throw new UnsupportedOperationException("TODO: for each saved app whose name is not here (and below MAX_APPS): a stopped one is kept as one STOPPED App; any other is start()ed (a refusal is said on stderr); return list() (handout, step 7)");
    }

    /** Stops every app, for the daemon's shutdown; completes once none of their processes runs. */
    public CompletableFuture<Void> stopAll() {
        throw new UnsupportedOperationException("TODO: stopOne every app, and complete when all are stopped (handout, step 7)");
    }

    /**
     * What {@code pm describe} shows: the spec, the line of {@code list}, the last exit, the log files.
     *
     * @throws Refusal when there is no such app
     */
    public ObjectNode describe(String name) throws Refusal {
        App app = select(name).getFirst();
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.set("spec", app.spec.toJson());
        result.set("state", app.info().toJson());
        result.put("port", app.info().port());
        result.set("instances", Json.MAPPER.valueToTree(select(name).stream().map(App::info).toList()));
        result.put("lastExit", app.lastExit == null ? null : app.lastExit.toString());
        result.put("outLog", home.logFile(name, "out").toString());
        result.put("errLog", home.logFile(name, "err").toString());
        return result;
    }

    /**
     * An app's process ended by itself, or in a stop. Publishes {@code exit}; then, unless it is
     * being stopped, asks the restart policy: restart after the delay, or errored for good.
     */
    void exited(App app, ExitInfo exit) {
        throw new UnsupportedOperationException("TODO: publish an exit event (code, signal, uptimeMs, unstable); nothing more while the app is STOPPING; else ask RestartPolicy.of(spec).afterExit: Restart -> keep its history, restarts + 1, LAUNCHING, schedule launch after the delay; Errored -> errored(app, reason) (handout, step 5)");
    }

    /** Spawns the app's process after it waited {@code delayMs}; publishes {@code launch} and {@code online}. */
    private void launch(App app, long delayMs) {
        throw new UnsupportedOperationException("TODO: attempt + 1; fork mode: ForkApp.launch with exited(app, exit) as its exit listener; cluster mode: app.cluster.fork(app) unless the slot has its worker already (a failure makes the app errored, naming the command); note startedNanos and lastPid; publish launch (delayMs, attempt); a fork-mode app is then online(app), a cluster slot once it listens (handout, step 5)");
    }

    private void online(App app) {
        app.status = Status.ONLINE;
        bus.publish(bus.event("online", app.spec.name(), app.instance, app.pid()));
    }

    /** A cluster's slots, supervised as fork-mode apps are: online when listening, the same policy on exit. */
    private ClusterApp.Listener clusterListener() {
        return new ClusterApp.Listener() {
            @Override
            public void listening(App slot) {
                online(slot);
            }

            @Override
            public void exited(App slot, ExitInfo exit) {
                Supervisor.this.exited(slot, exit);
            }
        };
    }

    private void errored(App app, String reason) {
        app.status = Status.ERRORED;
        app.reason = reason;
        ObjectNode event = bus.event("errored", app.spec.name(), app.instance, 0);
        event.put("reason", reason);
        bus.publish(event);
    }

    /** Stops one app: no pending restart, the group signalled, {@code stopped} once it is empty. */
    private CompletableFuture<Void> stopOne(App app) {
        throw new UnsupportedOperationException("TODO: complete once the app is stopped: join a stop under way; else cancel a pending restart, STOPPING, publish stopping, ClusterApp.stop or ForkApp.stop (or nothing runs) and, when it is done, STOPPED, publish stopped and run whenStopped (handout, step 5)");
    }

    /** The apps {@code target} names: one by name, or every one for {@code all}. */
    private List<App> select(String target) throws Refusal {
        if (target.equals("all")) {
            return apps.values().stream().flatMap(List::stream).toList();
        }
        List<App> app = apps.get(target);
        if (app == null) {
            throw new Refusal("no app is called '" + target + "' (apps: " + (apps.isEmpty() ? "none" : String.join(", ", apps.keySet())) + ")");
        }
        return app;
    }
}
