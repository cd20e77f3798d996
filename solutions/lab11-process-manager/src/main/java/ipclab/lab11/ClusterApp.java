package ipclab.lab11;

import ipclab.lab10.Cluster;
import ipclab.lab10.ClusterEvents;
import ipclab.lab10.ClusterOptions;
import ipclab.lab10.ExitStatus;
import ipclab.lab10.WorkerHandle;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Timer;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster-mode app: lab 10's {@link Cluster} on the daemon's loop, with its own restarts off, so
 * that each worker slot is supervised by lab 11's policy like a fork-mode app. The daemon is the
 * master: it holds the listening socket through every restart (Node's primary closes it with its
 * last worker). The workers write into two FIFOs in {@code run/}, which the daemon holds open for
 * reading and writing, so a FIFO never reaches end of file and a worker's open never waits; lines
 * up to {@code PIPE_BUF} stay whole (lab 03), but which worker wrote one is not known. Given code.
 */
final class ClusterApp {

    /** What the supervisor hears of the slots. */
    interface Listener {
        /** The slot's worker listens: it is online. */
        void listening(App slot);

        /** The slot's worker has exited, and was not asked to. */
        void exited(App slot, ExitInfo exit);
    }

    private final EventLoop loop;
    private final AppSpec spec;
    private final Listener listener;
    private final List<App> slots = new ArrayList<>();
    private final Map<WorkerHandle, App> byWorker = new HashMap<>();
    /** A stop under way, by slot: run when its worker has exited. */
    private final Map<App, Runnable> stopping = new HashMap<>();
    private final List<Path> fifos = new ArrayList<>();
    private Cluster cluster;

    private ClusterApp(EventLoop loop, AppSpec spec, Listener listener) {
        this.loop = loop;
        this.spec = spec;
        this.listener = listener;
    }

    /**
     * Binds the port and forks {@code spec.instances()} workers, one per slot; returns with the
     * slots' workers set. On the loop thread.
     */
    static ClusterApp start(EventLoop loop, AppSpec spec, Home home, LogBook logs, Listener listener) throws IOException {
        ClusterApp app = new ClusterApp(loop, spec, listener);
        for (int i = 0; i < spec.instances(); i++) {
            App slot = new App(spec, i, app);
            app.slots.add(slot);
        }
        Path out = app.fifo(home, logs, "out");
        Path err = app.fifo(home, logs, "err");
        ClusterOptions options = ClusterOptions.defaults().withWorkers(spec.instances()).withPort(spec.port())
                .withDelay(Duration.ofMillis(spec.delayMs())).withRestart(false)
                .withWorkerOutput(Redirect.appendTo(out.toFile()), Redirect.appendTo(err.toFile()));
        app.cluster = Cluster.start(loop, options, app.events());
        List<WorkerHandle> workers = app.cluster.workers();
        for (int i = 0; i < workers.size() && i < app.slots.size(); i++) {
            app.attach(app.slots.get(i), workers.get(i));
        }
        return app;
    }

    List<App> slots() {
        return slots;
    }

    int port() {
        return cluster.port();
    }

    /** A new worker for {@code slot}, whose last one has exited. */
    void fork(App slot) throws IOException {
        attach(slot, cluster.fork());
    }

    /**
     * Stops {@code slot}'s worker as lab 10 does it gracefully: out of the round-robin, finish the open
     * connections, exit 0; SIGKILL after the kill timeout. {@code done} runs once it has exited.
     */
    void stop(App slot, Runnable done) throws IOException {
        WorkerHandle worker = slot.worker;
        if (worker == null) {
            done.run();
            return;
        }
        Timer kill = loop.schedule(Duration.ofMillis(spec.killTimeoutMs()), () -> {
            try {
                cluster.kill(worker, Libc.SIGKILL);
            } catch (IOException e) {
                System.err.println(spec.name() + ": SIGKILL to worker " + worker.pid() + ": " + e.getMessage());
            }
        });
        stopping.put(slot, () -> {
            kill.cancel();
            done.run();
        });
        cluster.disconnect(worker);
    }

    /** Closes the listener and the FIFOs, for good: the app is deleted. */
    void shutdown() {
        cluster.shutdown(Duration.ofMillis(spec.killTimeoutMs()));
        for (Path fifo : fifos) {
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                System.err.println(spec.name() + ": " + fifo + ": " + e.getMessage());
            }
        }
    }

    private void attach(App slot, WorkerHandle worker) {
        slot.worker = worker;
        byWorker.put(worker, slot);
    }

    /** {@code run/NAME.STREAM}, a FIFO the daemon holds open O_RDWR and reads through the log book. */
    private Path fifo(Home home, LogBook logs, String stream) throws IOException {
        Path fifo = home.run().resolve(spec.name() + "." + stream);
        Files.deleteIfExists(fifo);
        Libc.mkfifo(fifo, 0600);
        fifos.add(fifo);
        int fd = Libc.open(fifo, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        logs.attach(spec.name(), null, stream, fd, spec.log());
        return fifo;
    }

    private ClusterEvents events() {
        return new ClusterEvents() {
            @Override
            public void listening(WorkerHandle worker, int port) {
                App slot = byWorker.get(worker);
                if (slot != null) {
                    listener.listening(slot);
                }
            }

            @Override
            public void exit(WorkerHandle worker, ExitStatus status) {
                App slot = byWorker.remove(worker);
                if (slot == null) {
                    return;
                }
                slot.worker = null;
                listener.exited(slot, status.code() != null ? ExitInfo.exited(status.code()) : ExitInfo.killedBy(status.signal()));
                Runnable done = stopping.remove(slot);
                if (done != null) {
                    done.run();
                }
            }
        };
    }
}
