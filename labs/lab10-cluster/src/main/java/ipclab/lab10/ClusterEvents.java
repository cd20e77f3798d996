package ipclab.lab10;

import java.io.PrintStream;

/**
 * What a {@link Cluster} tells its owner, in the order Node's {@code cluster} emits them for one
 * worker: {@code online} (its channel is up), {@code listening} (it can take connections),
 * {@code disconnect} (its channel is gone), {@code exit} (the process has ended).
 *
 * <p>Callbacks run on the master's event loop thread, one at a time: keep them short and never block in them
 * (calling {@link Cluster#close()} from one would wait for the very loop it blocks; {@link Cluster#shutdown}
 * does not wait).
 */
public interface ClusterEvents {

    /** The worker process runs and has connected its channel to the master. */
    default void online(WorkerHandle worker) {
    }

    /** The worker is ready for connections on {@code port}. */
    default void listening(WorkerHandle worker, int port) {
    }

    /**
     * The worker sent {@code ready} (Node: {@code process.send('ready')}): it says it has finished
     * starting. Only a worker that speaks it sends it, at any time after {@link #online}; a process
     * manager waits for it instead of {@link #listening} (pm2's {@code wait_ready}).
     */
    default void ready(WorkerHandle worker) {
    }

    /** The worker's channel has closed: it will take no more connections from the master. */
    default void disconnect(WorkerHandle worker) {
    }

    /** The worker process has ended (after {@link #disconnect}). */
    default void exit(WorkerHandle worker, ExitStatus status) {
    }

    /** Listens to nothing. */
    static ClusterEvents none() {
        return new ClusterEvents() {
        };
    }

    /**
     * Prints the seed program's lines: {@code Create worker-<pid>} and {@code [Master] worker <pid> died with ...}.
     * Node prints the first on {@code online}; we print it on {@code listening}, so that a client
     * that connects as soon as it sees the line is served in every mode. (With SO_REUSEPORT nobody
     * listens on the port until the first worker has opened its own listener.)
     */
    static ClusterEvents printing(PrintStream out) {
        return new ClusterEvents() {
            @Override
            public void listening(WorkerHandle worker, int port) {
                out.println("Create worker-" + worker.pid());
            }

            @Override
            public void exit(WorkerHandle worker, ExitStatus status) {
                out.println("[Master] worker " + worker.pid() + " died with " + status);
            }
        };
    }

    /** Both {@code this} and {@code other}, in that order. */
    default ClusterEvents andThen(ClusterEvents other) {
        ClusterEvents first = this;
        return new ClusterEvents() {
            @Override
            public void online(WorkerHandle worker) {
                first.online(worker);
                other.online(worker);
            }

            @Override
            public void listening(WorkerHandle worker, int port) {
                first.listening(worker, port);
                other.listening(worker, port);
            }

            @Override
            public void ready(WorkerHandle worker) {
                first.ready(worker);
                other.ready(worker);
            }

            @Override
            public void disconnect(WorkerHandle worker) {
                first.disconnect(worker);
                other.disconnect(worker);
            }

            @Override
            public void exit(WorkerHandle worker, ExitStatus status) {
                first.exit(worker, status);
                other.exit(worker, status);
            }
        };
    }
}
