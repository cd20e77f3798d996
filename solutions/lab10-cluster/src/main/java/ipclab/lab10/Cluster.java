package ipclab.lab10;

import ipclab.support.ChannelDescriptor;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.io.EOFException;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** The listen(2) backlog of the master's socket, Node's default. */
    private static final int BACKLOG = 511;

    /** How often the channel accept loop looks up to see whether the cluster is closing. */
    private static final Duration ACCEPT_POLL = Duration.ofMillis(100);

    private final ClusterOptions options;
    private final ClusterEvents events;
    private final WorkerChannel.Listener channels;
    private final ServerSocketChannel listener;   // rr and shared; null for reuseport
    private final SocketChannel portKeeper;        // reuseport only: holds the port, never listens
    private final int port;
    private final RoundRobinHandle roundRobin;
    private final Map<Long, WorkerHandle> byPid = new ConcurrentHashMap<>();
    private final Map<WorkerHandle, CompletableFuture<Void>> readers = new ConcurrentHashMap<>();
    private final Map<WorkerHandle, CompletableFuture<Void>> finished = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final ExecutorService exitWatchers = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("cluster-exit-", 1).factory());
    private final List<Thread> acceptors = new ArrayList<>();
    private volatile boolean closing;

    private Cluster(ClusterOptions options, ClusterEvents events) throws IOException {
        this.options = options;
        this.events = events;
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        this.channels = WorkerChannel.listen();
        // Locals first: if bind fails, the socket just opened must be closed too, not only the channel listener.
        ServerSocketChannel openedListener = null;
        SocketChannel openedKeeper = null;
        try {
            if (options.scheduling() == Scheduling.REUSEPORT) {
                // A bound socket that never listens reserves the port for the workers' listeners
                // without taking a share of the connections (a listener nobody accepts on would).
                openedKeeper = SocketChannel.open();
                openedKeeper.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                openedKeeper.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                openedKeeper.bind(address);
                port = ((InetSocketAddress) openedKeeper.getLocalAddress()).getPort();
            } else {
                openedListener = ServerSocketChannel.open();
                openedListener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                openedListener.bind(address, BACKLOG);
                port = ((InetSocketAddress) openedListener.getLocalAddress()).getPort();
            }
        } catch (IOException e) {
            closeQuietly(openedListener);
            closeQuietly(openedKeeper);
            closeQuietly(channels);
            if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
                BindException taken = new BindException("bind(2) " + address + " failed with EADDRINUSE:"
                        + " another socket holds port " + options.port()
                        + "; stop the server using it (ss -ltnp 'sport = :" + options.port() + "' shows it)"
                        + " or choose another port (--port for ./ipclab serve, ClusterOptions.withPort)");
                taken.initCause(e);
                throw taken;
            }
            throw e;
        }
        listener = openedListener;   // rr and shared
        portKeeper = openedKeeper;   // reuseport
        roundRobin = new RoundRobinHandle((worker, seq, socket) -> worker.channel().getNow(null)
                .send(WorkerChannel.Message.newConnection(seq), ChannelDescriptor.of(socket)));
    }

    /** Binds the port, forks {@code options.workers()} workers and starts serving. */
    public static Cluster start(ClusterOptions options, ClusterEvents events) throws IOException {
        Cluster cluster = new Cluster(options, events);
        try {
            cluster.acceptors.add(Thread.ofPlatform().daemon().name("cluster-channels").start(cluster::acceptWorkers));
            if (options.scheduling() == Scheduling.RR) {
                cluster.acceptors.add(Thread.ofPlatform().daemon().name("cluster-accept").start(cluster::acceptClients));
            }
            for (int i = 0; i < options.workers(); i++) {
                cluster.fork();
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The TCP port clients connect to. */
    public int port() {
        return port;
    }

    /** The workers forked and not yet exited, oldest first. */
    public List<WorkerHandle> workers() {
        List<WorkerHandle> live = new ArrayList<>(byPid.values());
        live.sort(Comparator.comparingInt(WorkerHandle::id));
        return live;
    }

    /**
     * Graceful: asks {@code worker} to stop taking connections, finish the open ones and exit 0. It
     * gets no more sockets from the master and is not restarted.
     */
    public void disconnect(WorkerHandle worker) {
        worker.markDisconnecting();
        roundRobin.retire(worker);
        worker.channel().thenAccept(channel -> {
            try {
                channel.send(WorkerChannel.Message.disconnect());
            } catch (IOException e) {
                // The channel is gone already: the worker is exiting anyway.
            }
        });
    }

    /** Sends SIGTERM to {@code worker} (kill(2)); its exit event follows, and a replacement if restart is on. */
    public void kill(WorkerHandle worker) throws IOException {
        kill(worker, Libc.SIGTERM);
    }

    /** Sends {@code signal} to {@code worker} (kill(2)). */
    public void kill(WorkerHandle worker, int signal) throws IOException {
        Libc.kill(worker.pid(), signal);
    }

    /**
     * Stops restarting and closes the listeners; then lets every worker leave as {@link #disconnect}
     * does (finish its open connections, exit 0) for up to {@link #GRACE}; kills and reaps whoever is
     * still there; closes every socket.
     */
    @Override
    public void close() {
        // Under the lock fork() checks it with: no replacement can be forked once close() has begun.
        synchronized (byPid) {
            closing = true;
        }
        closeQuietly(listener); // the channel listener is closed by its accept loop
        closeQuietly(portKeeper);
        // A socket closed while another thread is blocked in accept(2) on it is really closed only
        // when that thread has left accept: wait for them, or the descriptor outlives close().
        for (Thread acceptor : acceptors) {
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Graceful first: a client being served when the server stops still gets its answer.
        for (WorkerHandle worker : workers()) {
            disconnect(worker);
        }
        awaitExits(GRACE);
        for (WorkerHandle worker : workers()) {
            worker.process().close(); // it did not leave in time: SIGKILL to its tree, and wait until it is gone
        }
        roundRobin.close();
        // Each worker's exit handler closes its channel and reports its exit: wait for them all.
        if (!awaitExits(Duration.ofSeconds(10))) {
            System.err.println("cluster: a worker's exit was not handled within 10 s");
        }
        exitWatchers.shutdown();
    }

    /** Waits until every forked worker's exit has been handled, or the deadline passes. */
    private boolean awaitExits(Duration deadline) {
        try {
            CompletableFuture.allOf(finished.values().toArray(CompletableFuture[]::new))
                    .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a worker's exit handler failed", e.getCause());
        }
    }

    /** Forks one worker JVM and watches for its exit; does nothing once {@link #close()} has begun. */
    private void fork() throws IOException {
        // Under this lock, so a worker that connects at once is found in byPid by acceptWorkers, and
        // so a restart cannot slip past close(): a worker forked after close() took the workers'
        // list would never be asked to leave, and its exit watcher would be refused by exitWatchers.
        synchronized (byPid) {
            if (closing) {
                return;
            }
            ChildProcess process = ChildJvm.main(options.workerMain())
                    .args(options.workerArgs())
                    .env(WorkerChannel.ENV, channels.name())
                    .redirectInput(Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(Redirect.INHERIT)
                    .start();
            WorkerHandle worker = new WorkerHandle(ids.incrementAndGet(), process);
            byPid.put(worker.pid(), worker);
            finished.put(worker, new CompletableFuture<>());
            process.process().onExit().thenRunAsync(() -> exited(worker), exitWatchers);
        }
    }

    /**
     * Accepts workers' channels; the kernel's peer credentials say which worker each one is. Looks
     * up every {@link #ACCEPT_POLL} to see whether the cluster is closing, and then closes the
     * listener itself (see {@link WorkerChannel.Listener#accept(Duration)}).
     */
    private void acceptWorkers() {
        try {
            while (!closing) {
                WorkerChannel channel = channels.accept(ACCEPT_POLL);
                if (channel != null) {
                    welcome(channel);
                }
            }
        } catch (IOException e) {
            if (!closing) {
                System.err.println("cluster: accepting worker channels failed: " + e);
            }
        } finally {
            closeQuietly(channels);
        }
    }

    /** A worker has connected its channel: check who it is, send setup, report online, read its messages. */
    private void welcome(WorkerChannel channel) {
        CompletableFuture<Void> reader = new CompletableFuture<>();
        try {
            long peer = channel.peerPid();
            WorkerHandle worker;
            // Under the lock exited() takes: either its reader is registered before exited() looks,
            // or exited() has seen the worker die first and it is not welcomed at all, so that
            // online and disconnect never come after exit.
            synchronized (byPid) {
                worker = byPid.get(peer);
                if (worker != null && (closing || readers.putIfAbsent(worker, reader) != null)) {
                    worker = null;
                }
            }
            if (worker == null) {
                channel.close(); // not a live process we forked: nobody else may talk to the master
                return;
            }
            WorkerHandle welcomed = worker;
            channel.send(WorkerChannel.Message.setup(options.scheduling(), options.host(), port, options.delay().toMillis()),
                    options.scheduling() == Scheduling.SHARED ? ChannelDescriptor.of(listener) : null);
            worker.channel().complete(channel);
            events.online(worker);
            Thread.ofPlatform().daemon().name("cluster-worker-" + worker.id())
                    .start(() -> readFrom(welcomed, channel, reader));
        } catch (IOException e) {
            closeQuietly(channel);
            reader.complete(null); // no reader will run: exited() must not wait for one
        }
    }

    /** Reads one worker's messages until its channel closes. */
    private void readFrom(WorkerHandle worker, WorkerChannel channel, CompletableFuture<Void> done) {
        try {
            while (true) {
                WorkerChannel.Envelope envelope = channel.receive();
                WorkerChannel.Message message = envelope.message();
                switch (message.act()) {
                    case "listening" -> {
                        if (options.scheduling() == Scheduling.RR && !worker.disconnecting()) {
                            roundRobin.add(worker);
                        }
                        events.listening(worker, message.port());
                    }
                    case "ack" -> roundRobin.ack(worker, message.seq(), Boolean.TRUE.equals(message.accepted()));
                    default -> System.err.println("cluster: " + worker + " sent an unknown message: " + message);
                }
            }
        } catch (EOFException e) {
            // the worker closed its channel or died
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                System.err.println("cluster: channel to " + worker + " broke: " + e);
            }
        } finally {
            roundRobin.remove(worker);
            closeQuietly(channel);
            events.disconnect(worker);
            done.complete(null);
        }
    }

    /** A worker process has ended: report it (after its disconnect), then replace it or give up its queue. */
    private void exited(WorkerHandle worker) {
        try {
            CompletableFuture<Void> reader;
            synchronized (byPid) {
                // A worker that died before welcome() got to its channel is not welcomed afterwards.
                reader = readers.computeIfAbsent(worker, dead -> CompletableFuture.completedFuture(null));
            }
            reader.get(10, TimeUnit.SECONDS); // disconnect first, then exit, as Node does
        } catch (Exception e) {
            System.err.println("cluster: " + worker + "'s channel did not close: " + e);
        }
        try {
            roundRobin.remove(worker);
            ExitStatus status = ExitStatus.of(worker.process().process().exitValue());
            worker.process().close(); // its pipes
            byPid.remove(worker.pid());
            events.exit(worker, status);
            if (!closing && options.restart() && !worker.disconnecting()) {
                fork();
            } else if (byPid.isEmpty()) {
                roundRobin.abandon(); // nobody left to serve the queued clients: let them see EOF
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cluster: could not handle the exit of " + worker + ": " + e);
        } finally {
            finished.get(worker).complete(null);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing during shutdown: nothing left to do about it
        }
    }

    /** Accepts clients (round-robin only) and hands each to {@link RoundRobinHandle#distribute}. */
    private void acceptClients() {
        while (!closing) {
            try {
                roundRobin.distribute(listener.accept());
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                System.err.println("cluster: accept failed: " + e);
            }
        }
    }
}
