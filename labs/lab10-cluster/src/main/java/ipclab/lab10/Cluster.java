package ipclab.lab10;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The master of a cluster server, after Node's {@code cluster} module: it forks worker JVMs, tells
 * its owner what happens to them ({@link ClusterEvents}), forks a replacement when one dies, and
 * brings connections to them the way {@link ClusterOptions#scheduling()} says.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.start(ClusterOptions.defaults().withPort(8989), ClusterEvents.printing(System.out))) {
 *     ... // clients connect to cluster.port()
 * }   // close(): every worker leaves (or is killed after GRACE) and is reaped, every socket closed
 * }</pre>
 */
public final class Cluster implements AutoCloseable {

    /** How long {@link #close()} lets the workers finish their open connections before it kills them. */
    public static final Duration GRACE = Duration.ofSeconds(3);

    private Cluster() {
    }

    /** Binds the port, forks {@code options.workers()} workers and starts serving. */
    public static Cluster start(ClusterOptions options, ClusterEvents events) throws IOException {
        throw new UnsupportedOperationException("TODO: bind the port (rr/shared: listen; reuseport: bind only), listen on a WorkerChannel, fork the workers with ChildJvm");
    }

    /** The TCP port clients connect to. */
    public int port() {
        throw new UnsupportedOperationException("TODO: the port the master bound (getsockname: the kernel's choice for port 0)");
    }

    /** The workers forked and not yet exited, oldest first. */
    public List<WorkerHandle> workers() {
        throw new UnsupportedOperationException("TODO: the live workers, ordered by id");
    }

    /**
     * Graceful: asks {@code worker} to stop taking connections, finish the open ones and exit 0. It
     * gets no more sockets from the master and is not restarted.
     */
    public void disconnect(WorkerHandle worker) {
        throw new UnsupportedOperationException("TODO: mark it disconnecting, retire it from round-robin, send it a disconnect message");
    }

    /** Sends SIGTERM to {@code worker} (kill(2)); its exit event follows, and a replacement if restart is on. */
    public void kill(WorkerHandle worker) throws IOException {
        throw new UnsupportedOperationException("TODO: kill(2) the worker's pid with SIGTERM");
    }

    /** Sends {@code signal} to {@code worker} (kill(2)). */
    public void kill(WorkerHandle worker, int signal) throws IOException {
        throw new UnsupportedOperationException("TODO: kill(2) the worker's pid with this signal (Libc.kill)");
    }

    /**
     * Stops restarting and closes the listeners; then lets every worker leave as {@link #disconnect}
     * does (finish its open connections, exit 0) for up to {@link #GRACE}; kills and reaps whoever is
     * still there; closes every socket.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO: stop restarting, close the listeners, disconnect every worker, "
                + "wait up to GRACE for their exits, then kill and reap the rest, close every socket");
    }
}
