package ipclab.lab11;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon's state and wiring, on its one {@link EventLoop}: pm2's {@code God} with its
 * {@code Daemon.js}. Verbs of the control socket are registered by name ({@link #register}), so that
 * later steps, and lab 12, add theirs without touching the server. It starts with {@code ping} and
 * {@code kill}. Everything here runs on the loop thread. Given code.
 */
public final class Daemon {

    /** The wire's version, in {@code ping}'s reply. */
    public static final int VERSION = 1;

    private final Home home;
    private final EventLoop loop;
    private final PidFile pidFile;
    private final int ownerUid;
    /** The loop's clock when the daemon started: pm2's {@code pm_uptime} of the daemon. */
    private final long startedNanos;
    /** By name, sorted, so that "unknown verb" lists them in order. */
    private final Map<String, Verb> verbs = new TreeMap<>();
    /** Subscribers to the apps' events: pm2's {@code pub.sock}. */
    private final EventBus bus = new EventBus();
    /** The apps' output, into their log files. */
    private final LogBook logs;
    /** The apps: pm2's {@code God}. */
    private final Supervisor supervisor;
    private ControlServer server;
    private boolean shuttingDown;

    Daemon(Home home, EventLoop loop, PidFile pidFile, int ownerUid) {
        this.home = home;
        this.loop = loop;
        this.pidFile = pidFile;
        this.ownerUid = ownerUid;
        this.startedNanos = System.nanoTime();
        register("ping", (request, reply) -> reply.ok(ping()));
        register("kill", (request, reply) -> shutdown(reply));
        this.logs = new LogBook(loop, home, bus, Clock.systemUTC());
        this.supervisor = new Supervisor(loop, home, bus, logs);
        SupervisorVerbs.register(this, supervisor, bus, logs);
    }

    /** Adds a verb; a later registration of the same name replaces the earlier one. */
    public void register(String name, Verb verb) {
        verbs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(verb, "verb"));
    }

    /** The verb called {@code name}, if there is one. */
    public Optional<Verb> verb(String name) {
        return Optional.ofNullable(verbs.get(name));
    }

    /** Every verb's name, sorted. */
    public Set<String> verbNames() {
        return verbs.keySet();
    }

    public Home home() {
        return home;
    }

    public EventLoop loop() {
        return loop;
    }

    public Supervisor supervisor() {
        return supervisor;
    }

    public EventBus bus() {
        return bus;
    }

    /** The uid whose processes may use the control socket. */
    public int ownerUid() {
        return ownerUid;
    }

    /** Called once by {@link DaemonMain}, when the control socket listens. */
    void serve(ControlServer controlServer) {
        this.server = controlServer;
    }

    /** {@code ping}'s result: who and where the daemon is. */
    private ObjectNode ping() {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("pid", ProcessHandle.current().pid());
        result.put("uptimeMs", (System.nanoTime() - startedNanos) / 1_000_000);
        result.put("home", home.dir().toString());
        result.put("version", VERSION);
        return result;
    }

    /**
     * Stops for good, in the order that leaves nothing half-done: nobody new can connect (rpc.sock is
     * removed), every app is stopped (its whole process group), then {@code pm.pid} is deleted while
     * the lock is still ours, the client that asked is answered, and the process exits 0. From
     * {@code kill}, or from SIGTERM or SIGINT ({@code whoAsked} null). A second call while one is under
     * way is answered at once. An app that cannot be stopped does not keep the daemon alive: what went
     * wrong goes to daemon.log, and the daemon exits 1.
     */
    void shutdown(Responder whoAsked) {
        if (shuttingDown) {
            if (whoAsked != null) {
                whoAsked.error("the daemon is stopping already");
            }
            return;
        }
        shuttingDown = true;
        System.out.println("daemon " + ProcessHandle.current().pid() + ": shutting down" + (whoAsked == null ? " on a signal" : " on request"));
        boolean[] failed = {false};
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("daemon: while closing the control socket: " + e);
            failed[0] = true;
        }
        CompletableFuture<Void> appsStopped;
        try {
            appsStopped = supervisor.stopAll();
        } catch (RuntimeException e) {
            appsStopped = CompletableFuture.failedFuture(e);
        }
        appsStopped.whenComplete((done, failure) -> {
            if (failure != null) {
                System.err.println("daemon: the apps were not all stopped: " + failure);
                failed[0] = true;
            }
            finishShutdown(whoAsked, failed[0] ? 1 : 0);
        });
    }

    /**
     * Removes what is left in {@code run/}: the FIFOs the cluster apps' workers wrote into are the
     * daemon's, made for each app it ran, and none may outlive it (a later daemon makes its own).
     */
    private void removeRunFiles() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(home.run())) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            System.err.println("daemon: while emptying " + home.run() + ": " + e);
        }
    }

    /** The end of {@link #shutdown}, once the apps are stopped: the pid file, the answer, the exit. */
    private void finishShutdown(Responder whoAsked, int status) {
        int exitStatus = status;
        removeRunFiles();
        try {
            pidFile.release();
        } catch (IOException | RuntimeException e) {
            System.err.println("daemon: while releasing " + home.pidFile() + ": " + e);
            exitStatus = 1;
        }
        if (whoAsked != null) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("pid", ProcessHandle.current().pid());
            whoAsked.ok(result);
        }
        int code = exitStatus;
        // After this callback, so that the reply is sent before the process ends.
        loop.execute(() -> System.exit(code));
    }
}
