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
        if (apps.containsKey(spec.name())) {
            throw new Refusal("an app called '" + spec.name() + "' exists already (" + apps.get(spec.name()).getFirst().status.label()
                    + "): restart it, or delete it first");
        }
        if (apps.size() >= MAX_APPS) {
            throw new Refusal("there are " + MAX_APPS + " apps already: delete one first");
        }
        List<App> slots;
        if (spec.mode() == AppSpec.Mode.CLUSTER) {
            try {
                slots = ClusterApp.start(loop, spec, home, logs, clusterListener()).slots();
            } catch (IOException e) {
                throw new Refusal("start: the cluster of '" + spec.name() + "' did not start: " + e.getMessage());
            }
        } else {
            slots = List.of(new App(spec));
        }
        apps.put(spec.name(), slots);
        slots.forEach(slot -> launch(slot, 0));
        return slots.stream().map(App::info).toList();
    }

    /** Every app's line, in the order they were started. */
    public List<ProcessInfo> list() {
        return apps.values().stream().flatMap(List::stream).map(App::info).toList();
    }

    /**
     * Stops {@code target} (an app's name, or {@code all}); completes with their lines once every
     * process of theirs is gone.
     */
    public CompletableFuture<List<ProcessInfo>> stop(String target) throws Refusal {
        List<App> chosen = select(target);
        return CompletableFuture.allOf(chosen.stream().map(this::stopOne).toArray(CompletableFuture[]::new))
                .thenApply(done -> chosen.stream().map(App::info).toList());
    }

    /**
     * Stops {@code target}, then starts it again with a fresh restart history: a restart by hand
     * gives an errored app its chances back.
     */
    public CompletableFuture<List<ProcessInfo>> restart(String target) throws Refusal {
        List<App> chosen = select(target);
        return CompletableFuture.allOf(chosen.stream().map(this::stopOne).toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    for (App app : chosen) {
                        app.history = History.NONE;
                        app.attempt = 0;
                        app.reason = null;
                        app.restarts++;
                        launch(app, 0);
                    }
                    return chosen.stream().map(App::info).toList();
                });
    }

    /** Stops {@code target}, then forgets it; completes with the lines they had last. */
    public CompletableFuture<List<ProcessInfo>> delete(String target) throws Refusal {
        List<App> chosen = select(target);
        return CompletableFuture.allOf(chosen.stream().map(this::stopOne).toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    for (App app : chosen) {
                        if (apps.remove(app.spec.name()) != null && app.cluster != null) {
                            app.cluster.shutdown(); // the listener and the FIFOs go with the app
                        }
                    }
                    return chosen.stream().map(App::info).toList();
                });
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
        for (SavedApp entry : saved) {
            if (apps.containsKey(entry.spec().name()) || apps.size() >= MAX_APPS) {
                continue;
            }
            if (entry.stopped()) {
                App app = new App(entry.spec());
                app.status = Status.STOPPED;
                apps.put(entry.spec().name(), List.of(app));
            } else {
                try {
                    start(entry.spec());
                } catch (Refusal e) {
                    System.err.println("resurrect: " + entry.spec().name() + ": " + e.getMessage());
                }
            }
        }
        return list();
    }

    /** Stops every app, for the daemon's shutdown; completes once none of their processes runs. */
    public CompletableFuture<Void> stopAll() {
        return CompletableFuture.allOf(apps.values().stream().flatMap(List::stream).map(this::stopOne).toArray(CompletableFuture[]::new));
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
        long uptimeMs = (System.nanoTime() - app.startedNanos) / 1_000_000;
        app.lastExit = exit;
        ObjectNode event = bus.event("exit", app.spec.name(), app.instance, app.lastPid);
        event.put("code", exit.code());
        event.put("signal", exit.signal());
        event.put("uptimeMs", uptimeMs);
        event.put("unstable", uptimeMs < app.spec.minUptimeMs());
        bus.publish(event);
        if (app.status == Status.STOPPING) {
            return; // asked for: the stop finishes once the group is empty
        }
        switch (RestartPolicy.of(app.spec).afterExit(app.history, uptimeMs, exit)) {
            case Decision.Restart restart -> {
                app.history = restart.next();
                app.restarts++;
                app.status = Status.LAUNCHING;
                app.restartDueNanos = System.nanoTime() + restart.delayMs() * 1_000_000;
                app.restartTimer = loop.schedule(Duration.ofMillis(restart.delayMs()), () -> launch(app, restart.delayMs()));
            }
            case Decision.Errored errored -> errored(app, errored.reason());
        }
    }

    /** Spawns the app's process after it waited {@code delayMs}; publishes {@code launch} and {@code online}. */
    private void launch(App app, long delayMs) {
        app.attempt++;
        app.status = Status.LAUNCHING;
        try {
            if (app.cluster == null) {
                app.process = ForkApp.launch(loop, app.spec, home, logs, exit -> exited(app, exit));
            } else if (app.worker == null) {
                app.cluster.fork(app); // the first workers came with the cluster
            }
        } catch (IOException e) {
            errored(app, "cannot start " + app.spec.command().getFirst() + ": " + e.getMessage());
            return;
        }
        app.startedNanos = System.nanoTime();
        app.lastPid = app.pid();
        ObjectNode launched = bus.event("launch", app.spec.name(), app.instance, app.lastPid);
        launched.put("delayMs", delayMs);
        launched.put("attempt", app.attempt);
        bus.publish(launched);
        if (app.cluster == null) {
            online(app); // a cluster worker is online once it listens
        }
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
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        app.whenStopped.add(() -> stopped.complete(null));
        if (app.status == Status.STOPPING) {
            return stopped; // a stop is under way: finish with it
        }
        if (app.restartTimer != null) {
            app.restartTimer.cancel();
        }
        long pid = app.pid();
        app.status = Status.STOPPING;
        bus.publish(bus.event("stopping", app.spec.name(), app.instance, pid));
        Runnable finish = () -> {
            app.status = Status.STOPPED;
            bus.publish(bus.event("stopped", app.spec.name(), app.instance, pid));
            List<Runnable> waiting = new ArrayList<>(app.whenStopped);
            app.whenStopped.clear();
            waiting.forEach(Runnable::run);
        };
        try {
            if (app.cluster != null) {
                app.cluster.stop(app, finish);
            } else if (app.process != null) {
                app.process.stop(finish);
            } else {
                finish.run();
            }
        } catch (IOException e) {
            errored(app, "cannot stop " + pid + ": " + e.getMessage());
            stopped.completeExceptionally(e);
        }
        return stopped;
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
