package ipclab.lab10;

/**
 * A worker process: the main class a {@link Cluster} forks. It connects its channel to the master,
 * learns the scheduling from the {@code setup} message, gets its connections the way that
 * scheduling says, and answers each one after the delay with {@link #answer()} and EOF.
 *
 * <p>It exits 0 after a graceful {@code disconnect} once its open connections are answered, and
 * {@link #MASTER_GONE_EXIT} when the channel closes under it (the master died).
 */
public final class ClusterWorker {

    /** The exit status of a worker whose master has gone away (its channel reached EOF). */
    public static final int MASTER_GONE_EXIT = 75;

    private ClusterWorker() {
    }

    public static void main(String[] args) throws Exception {
        throw new UnsupportedOperationException("TODO: connect the channel (WorkerChannel.connectFromEnvironment), read setup, serve, System.exit(run())");
    }

    /** The answer every client gets: the seed program's line, ending with a newline. */
    public static String answer() {
        return "Request handled by worker-" + ProcessHandle.current().pid() + "\n";
    }

    /** Serves until a graceful disconnect (returns 0) or the master's death (returns {@link #MASTER_GONE_EXIT}). */
    int run() throws Exception {
        throw new UnsupportedOperationException("TODO: rr: ack each newconn, answer after the delay, write(2) + close(2); shared: poll + accept4; reuseport: own listener; disconnect: stop accepting, join the accept thread, wait for open ones; EOF");
    }
}
