package ipclab.lab10;

import ipclab.support.ChannelDescriptor;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Timer;
import ipclab.support.loop.Watch;
import ipclab.support.net.Accepts;
import ipclab.support.net.Sockets;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The master of a cluster server, after Node's {@code cluster} module: it forks worker JVMs, tells
 * its owner what happens to them ({@link ClusterEvents}), forks a replacement when one dies, and
 * brings connections to them the way {@link ClusterOptions#scheduling()} says.
 *
 * <p>Everything happens on one {@link EventLoop}, as in Node's primary: the TCP listener, every
 * worker's channel, the channel listener, and the workers' exits (the JDK's reaper thread posts them
 * with {@link EventLoop#execute}). So the state below needs no lock: it is touched on the loop thread
 * only, and the public methods hop onto it.
 *
 * <pre>{@code
 * try (Cluster cluster = Cluster.start(ClusterOptions.defaults().withPort(8989), ClusterEvents.printing(System.out))) {
 *     ... // clients connect to cluster.port()
 * }   // close(): every worker leaves (or is killed after GRACE) and is reaped, every socket closed
 * }</pre>
 *
 * <p>A program with a loop of its own (a process manager's daemon) runs the cluster on that loop
 * instead: {@link #start(EventLoop, ClusterOptions, ClusterEvents)}, {@link #fork()} for one more
 * worker, and {@link #shutdown(Duration)}, which never blocks, to stop it.
 */
public final class Cluster implements AutoCloseable {

    /** How long {@link #close()} lets the workers finish their open connections before it kills them. */
    public static final Duration GRACE = Duration.ofSeconds(3);

    /** How long {@link #close()} waits, after the grace, for the killed workers' exits to be handled. */
    private static final Duration REAPED_WITHIN = Duration.ofSeconds(10);

    /**
     * How many connections one wake-up of the listener accepts at most. libuv accepts one per wake-up
     * since v1.45 (see the handout, "One loop per process"); a batch saves epoll_wait calls under load.
     */
    static final int ACCEPTS_PER_WAKEUP = 16;

    private final ClusterOptions options;
    private final ClusterEvents events;
    /** The master's loop; every field below is used on its thread only. Node: the primary's libuv loop. */
    private final EventLoop loop;
    /** True when {@link #start(ClusterOptions, ClusterEvents)} made {@link #loop}, so that {@link #close()} closes it too. */
    private final boolean ownsLoop;
    /**
     * The TCP socket on the port: listening (rr, shared) or only bound (reuseport: it holds the port
     * without taking a share of the connections). Node: {@code RoundRobinHandle.handle} or
     * {@code SharedHandle.handle}.
     */
    private NetworkChannel server;
    /** {@link #server}'s descriptor number: what rr accepts on, and what shared mode sends in {@code setup}. */
    private int serverFd = -1;
    private volatile int port;
    /** The watch on {@link #server} (rr only). Node: the listening handle's {@code onconnection}. */
    private Watch accepting;
    /** Where the workers connect their channels. Node: the channel descriptor each child inherits. */
    private ClusterChannel.Listener channels;
    /** Round-robin's queue and free list. Node: the {@code RoundRobinHandle} in {@code primary.js}'s {@code handles}. */
    private final RoundRobinHandle<WorkerHandle, Integer> roundRobin = new RoundRobinHandle<>(this::handoff, Cluster::closeConnection);
    /** The workers forked and not yet exited, by pid (the channel's peer credentials name a pid). Node: {@code cluster.workers}. */
    private final Map<Long, WorkerHandle> byPid = new HashMap<>();
    /** A copy of {@link #byPid}'s workers for other threads, oldest first, replaced whenever it changes. */
    private volatile List<WorkerHandle> snapshot = List.of();
    /** The last worker id given. Node: {@code ids} in {@code primary.js}. */
    private int ids;
    /** True once {@link #shutdown} has begun on the loop: nobody is restarted or forked, no channel is welcomed. */
    private boolean closing;
    /** SIGKILLs the workers still there when the grace of {@link #shutdown} is over; cancelled when none is left. */
    private Timer killTimer;
    /** Set by the first {@link #shutdown} call, whose grace counts; later ones get the same stage. */
    private final AtomicBoolean shutdownAsked = new AtomicBoolean();
    /** Completes on the loop when {@link #shutdown} has begun there: {@link #close()} learns that the loop is not blocked. */
    private final CompletableFuture<Void> closingBegun = new CompletableFuture<>();
    /** Completes on the loop when the last worker's exit has been handled and every socket is closed. Node: the callback of {@code cluster.disconnect}. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Set by the one thread whose {@link #close()} does the closing; another returns at once. */
    private final AtomicBoolean closed = new AtomicBoolean();

    private Cluster(ClusterOptions options, ClusterEvents events, EventLoop loop, boolean ownsLoop) {
        this.options = options;
        this.events = reporting(events, loop);
        this.loop = loop;
        this.ownsLoop = ownsLoop;
    }

    /** Binds the port, forks {@code options.workers()} workers and starts serving, on a loop of its own that {@link #close()} closes. */
    public static Cluster start(ClusterOptions options, ClusterEvents events) throws IOException {
        return start(EventLoop.start("cluster-master"), true, options, events);
    }

    /**
     * As {@link #start(ClusterOptions, ClusterEvents)}, on the caller's {@code loop}: a process
     * manager's daemon runs its clusters on the loop that also serves its own sockets. The loop must
     * be running on some thread; called on that very thread, the setting up runs inline, at once.
     * The cluster never closes this loop: stop the cluster with {@link #shutdown} (on the loop) or
     * {@link #close()} (off it).
     */
    public static Cluster start(EventLoop loop, ClusterOptions options, ClusterEvents events) throws IOException {
        return start(Objects.requireNonNull(loop, "loop"), false, options, events);
    }

    private static Cluster start(EventLoop loop, boolean ownsLoop, ClusterOptions options, ClusterEvents events) throws IOException {
        Cluster cluster = new Cluster(options, events, loop, ownsLoop);
        try {
            cluster.call(() -> {
                cluster.open();
                return null;
            });
            return cluster;
        } catch (IOException | RuntimeException e) {
            // Whatever was set up (a port, some workers) goes again; on the loop thread nothing may wait for it.
            if (loop.inLoop()) {
                cluster.shutdown(Duration.ZERO);
            } else {
                cluster.close();
            }
            throw e;
        }
    }

    /**
     * Sets the master up, on its loop (a watch may only be added on the loop's thread): binds the
     * port, opens the channel listener the workers connect to, in round-robin watches the TCP
     * listener, and forks {@code options.workers()} workers.
     */
    private void open() throws IOException {
        Scheduling scheduling = options.scheduling();
        server = bindPort(scheduling != Scheduling.REUSEPORT);
        serverFd = ChannelDescriptor.numberOf(server);
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        channels = ClusterChannel.Listener.open(loop, this::welcome);
        if (scheduling == Scheduling.RR) {
            accepting = loop.watch(serverFd, EventLoop.READABLE, (w, e) -> onAcceptable());
        }
        for (int i = 0; i < options.workers(); i++) {
            fork();
        }
    }

    /** The TCP port clients connect to. */
    public int port() {
        return port;
    }

    /** The workers forked and not yet exited, oldest first. */
    public List<WorkerHandle> workers() {
        return snapshot;
    }

    /**
     * Forks one more worker, beyond {@code options.workers()} (Node: {@code cluster.fork()}, {@code primary.js} 161): a
     * process manager replaces a worker itself (with restart off), or starts a new one before it lets
     * an old one go. Its events follow, as for any worker. Callable from any thread: on the loop it
     * forks at once, elsewhere it waits for the loop to have done it.
     *
     * @return the new worker, already in {@link #workers()}
     * @throws IllegalStateException once {@link #shutdown} or {@link #close()} has begun
     */
    public WorkerHandle fork() throws IOException {
        return call(this::spawn);
    }

    /**
     * Graceful: asks {@code worker} to stop taking connections, finish the open ones and exit 0. It
     * gets no more sockets from the master and is not restarted.
     */
    public void disconnect(WorkerHandle worker) {
        worker.markDisconnecting(); // now, not on the loop: an exit handled before that task runs must not restart it
        onLoop(() -> {
            roundRobin.remove(worker); // a socket in flight stays in flight: the reply says where it goes
            ClusterChannel channel = worker.channel();
            if (channel != null && channel.isOpen()) {
                channel.send(ClusterMessage.disconnect());
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
     * Stops the cluster without waiting for it: no more restarts or forks; the listeners close (new
     * clients are refused); every worker is asked to leave as {@link #disconnect} does, and those
     * still there after {@code grace} get SIGKILL; the master's sockets are closed. Callable from any
     * thread, the loop's included (from a {@link ClusterEvents} callback, or a daemon's request
     * handler). The first call's {@code grace} counts; every call gets the same stage. A loop passed to
     * {@link #start(EventLoop, ClusterOptions, ClusterEvents)} stays open. Node: {@code cluster.disconnect(callback)}
     * ({@code primary.js} 223&ndash;238), which waits for ever; the kill after a grace is pm2's {@code kill_timeout}.
     *
     * @return completes on the loop thread once the last worker's exit has been handled and every socket is closed
     */
    public CompletionStage<Void> shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (shutdownAsked.compareAndSet(false, true)) {
            try {
                onLoop(() -> beginClosing(grace));
            } catch (RejectedExecutionException e) {
                // The caller closed the loop under us: nothing will ever run on it, so kill from here.
                workers().forEach(worker -> worker.process().process().destroyForcibly());
                IllegalStateException closedLoop = new IllegalStateException("the cluster's loop " + loop.name()
                        + " was closed before the cluster: its workers were killed, its sockets are left to the process's exit");
                closingBegun.completeExceptionally(closedLoop);
                stopped.completeExceptionally(closedLoop);
            }
        }
        return stopped.minimalCompletionStage();
    }

    /**
     * Stops the cluster and waits until it has: {@link #shutdown} with {@link #GRACE}, then, if the
     * cluster made its own loop, closes that loop. It waits for the loop, so it must be called off the
     * loop; a second call, from any thread, returns at once. When the loop does not take the closing
     * within {@code GRACE} (a callback blocks it), the workers are killed and reaped from here.
     *
     * @throws IllegalStateException when called on the cluster's loop thread (from a {@link ClusterEvents}
     *                               callback, say): it would wait for the very thread it holds
     */
    @Override
    public void close() {
        if (loop.inLoop()) {
            throw new IllegalStateException("Cluster.close() called on the cluster's own loop thread (from a ClusterEvents "
                    + "callback?): it waits for that loop, which could never run again; call shutdown(grace), "
                    + "which does not wait, or close() from another thread");
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        shutdown(GRACE);
        if (!await(closingBegun, GRACE)) {
            // A callback blocks the loop (a blocking accept, a wait): nothing queued on it will run.
            System.err.println("cluster: the loop did not take the closing within " + GRACE + " (does a callback block?): "
                    + "the workers are killed from here" + (ownsLoop ? "; the loop is closed once that callback returns" : ""));
            killWorkers();
            if (ownsLoop) {
                Thread.ofPlatform().daemon(true).name("cluster-close").start(loop::close);
            }
            return;
        }
        if (!await(stopped, GRACE.plus(REAPED_WITHIN))) {
            System.err.println("cluster: a worker's exit was not handled within " + REAPED_WITHIN + " of its SIGKILL: "
                    + "it is killed and reaped from here");
            killWorkers();
        }
        if (ownsLoop) {
            loop.close();
        }
    }

    /** The first half of {@link #shutdown}, on the loop: no more restarts, no more connections, every worker asked to leave. */
    private void beginClosing(Duration grace) {
        closing = true;
        closingBegun.complete(null);
        if (accepting != null) {
            accepting.cancel(); // before the listener is closed: see Watch.cancel
        }
        closeQuietly(server);
        closeQuietly(channels);
        for (WorkerHandle worker : List.copyOf(byPid.values())) {
            try {
                disconnect(worker);
            } catch (RuntimeException e) {
                System.err.println("cluster: could not ask " + worker + " to leave (" + e.getMessage() + "): it is killed after " + grace);
            }
        }
        if (byPid.isEmpty()) {
            finishClosing();
        } else {
            killTimer = loop.schedule(grace, this::killLeft);
        }
    }

    /** The grace is over: SIGKILL to every worker still there. Their exits, posted by the JDK's reaper, finish the closing. */
    private void killLeft() {
        for (WorkerHandle worker : byPid.values()) {
            // Not kill(2) by pid: the JDK signals a process only while it has not reaped it, so never a recycled pid.
            worker.process().process().destroyForcibly();
        }
    }

    /** The last worker's exit has been handled (or there was none): close what the master still holds, and say so. */
    private void finishClosing() {
        if (stopped.isDone()) {
            return;
        }
        if (killTimer != null) {
            killTimer.cancel();
        }
        try {
            roundRobin.close();
            for (WorkerHandle worker : List.copyOf(byPid.values())) {
                if (worker.channel() != null) {
                    worker.channel().close();
                }
            }
        } catch (RuntimeException e) {
            System.err.println("cluster: closing: " + e);
        } finally {
            stopped.complete(null);
        }
    }

    /** SIGKILL to every worker still there, and reap it: off the loop, as it waits. */
    private void killWorkers() {
        workers().forEach(worker -> worker.process().close());
    }

    /** A worker has connected its channel: check who it is, send setup (shared: with the listener), report online. */
    private void welcome(ClusterChannel channel) {
        try {
            WorkerHandle worker = byPid.get(channel.peerPid());
            if (worker == null || worker.channel() != null || closing) {
                channel.close(); // not a live worker of ours: nobody else may talk to the master
                return;
            }
            worker.attach(channel);
            channel.start((message, fd) -> onWorkerMessage(worker, message, fd), () -> onWorkerClosed(worker));
            channel.send(ClusterMessage.setup(options.scheduling(), options.host(), port, options.delay().toMillis()),
                    options.scheduling() == Scheduling.SHARED ? serverFd : -1);
            events.online(worker);
        } catch (IOException e) {
            System.err.println("cluster: welcoming a worker's channel failed: " + e.getMessage());
            channel.close();
        }
    }

    /** A message from {@code worker}: {@code listening}, the {@code reply} to a newconn (to the round), or {@code ready}. */
    private void onWorkerMessage(WorkerHandle worker, ClusterMessage message, int fd) throws IOException {
        if (fd >= 0) {
            Libc.close(fd); // a worker sends no descriptors
        }
        switch (message.act()) {
            case "listening" -> onListening(worker, message.port());
            case "reply" -> roundRobin.reply(worker, message.ack(), message.isAccepted());
            case "ready" -> events.ready(worker);
            default -> System.err.println("cluster: " + worker + " sent an unknown message: " + message);
        }
    }

    /** {@code worker} takes connections on {@code port}: in rr it joins the round (unless it is leaving); report it. */
    private void onListening(WorkerHandle worker, int port) {
        if (options.scheduling() == Scheduling.RR && !worker.disconnecting()) {
            roundRobin.add(worker);
        }
        events.listening(worker, port);
    }

    /** Round-robin: connections are waiting on the listener. Accept a batch, each to {@link RoundRobinHandle#distribute}. */
    private void onAcceptable() throws ErrnoException {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            int fd = Accepts.next(accepting, 0);
            if (fd < 0) {
                return; // EAGAIN: the queue is empty (or we are out of descriptors, and the watch rests)
            }
            roundRobin.distribute(fd);
        }
    }

    /** {@code worker}'s channel has closed (it left, or died): out of the round, its socket in flight to another; report it. */
    private void onWorkerClosed(WorkerHandle worker) {
        roundRobin.lost(worker);
        events.disconnect(worker);
    }

    /**
     * A worker process has ended and been reaped (posted to the loop by {@code Process.onExit()}). Its channel is read
     * to the end first, so that its last replies and its {@code disconnect} come before its
     * {@code exit}, as in Node; then it is forgotten, and {@link #onExit} decides what follows.
     */
    private void exited(WorkerHandle worker) {
        byPid.remove(worker.pid());
        snapshot = byPid.values().stream().sorted(Comparator.comparingInt(WorkerHandle::id)).toList();
        try {
            if (worker.channel() != null) {
                worker.channel().drain();
            }
            onExit(worker, worker.process().process().exitValue());
        } catch (IOException e) {
            System.err.println("cluster: after the exit of " + worker + ": " + e.getMessage());
            if (byPid.isEmpty()) {
                roundRobin.abandon(); // the replacement could not be forked: nobody will serve the queued clients
            }
        } finally {
            if (closing && byPid.isEmpty()) {
                finishClosing();
            }
        }
    }

    /** {@code worker} has exited with the JDK's {@code exitValue}: report it, then fork a replacement or give up the queue. */
    private void onExit(WorkerHandle worker, int exitValue) throws IOException {
        roundRobin.lost(worker); // it may have died before it connected its channel
        events.exit(worker, ExitStatus.of(exitValue));
        if (!closing && options.restart() && !worker.disconnecting()) {
            fork();
        } else if (byPid.isEmpty()) {
            roundRobin.abandon(); // nobody left to serve the queued clients: let them see EOF
        }
    }

    /** Sends {@code fd} to {@code worker} as {@code newconn seq}: round-robin's {@link RoundRobinHandle.Handoff}. */
    private void handoff(WorkerHandle worker, long seq, Integer fd) throws IOException {
        worker.channel().send(ClusterMessage.newconn(seq), fd);
    }

    /** Closes the master's copy of a connection: round-robin's {@link RoundRobinHandle.Closer}. */
    private static void closeConnection(Integer fd) {
        Libc.closeQuietly(fd, "cluster");
    }

    /**
     * {@link #fork()} on the loop: starts one worker JVM, with the channel's name in its environment,
     * and has its exit posted to the loop. Like Node's {@code uv_spawn}, it holds the loop up for the
     * few milliseconds a fork and exec take.
     */
    private WorkerHandle spawn() throws IOException {
        if (closing) {
            throw new IllegalStateException("the cluster is shutting down: it forks no more workers");
        }
        ChildProcess process = ChildJvm.main(options.workerMain())
                .jvmArgs(options.workerJvmArgs().toArray(String[]::new))
                .args(options.workerArgs())
                .env(ClusterChannel.ENV, channels.name())
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(options.workerOut())
                .redirectError(options.workerErr())
                .start();
        WorkerHandle worker = new WorkerHandle(++ids, process);
        byPid.put(worker.pid(), worker);
        snapshot = byPid.values().stream().sorted(Comparator.comparingInt(WorkerHandle::id)).toList();
        process.process().onExit().thenRun(() -> {
            // Forget it here, on the JDK's thread: ChildProcess.close scans /proc for descendants, not a loop's job.
            process.close();
            try {
                loop.execute(() -> exited(worker));
            } catch (RejectedExecutionException e) {
                process.close(); // the cluster is closed: nobody reports this exit any more
            }
        });
        return worker;
    }

    /**
     * The TCP socket on the port, with SO_REUSEADDR: listening with Node's backlog of 511 and
     * non-blocking (an accept on the loop must answer EAGAIN, never wait), or, for SO_REUSEPORT,
     * bound only. A port in use gets an error that says what to do.
     */
    private NetworkChannel bindPort(boolean listen) throws IOException {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        NetworkChannel channel = listen ? ServerSocketChannel.open() : SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (listen) {
                ((ServerSocketChannel) channel).bind(address, Sockets.BACKLOG);
                ((ServerSocketChannel) channel).configureBlocking(false);
            } else {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                channel.bind(address);
            }
            return channel;
        } catch (IOException e) {
            channel.close();
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
    }

    /** Something to run on the loop that may fail with an IOException. */
    @FunctionalInterface
    private interface LoopTask {
        void run() throws IOException;
    }

    /**
     * Runs {@code task} on the loop: now if this is the loop thread, else in its next turn. A failure is reported.
     *
     * @throws RejectedExecutionException when the loop is closed
     */
    private void onLoop(LoopTask task) {
        Runnable reporting = () -> {
            try {
                task.run();
            } catch (IOException e) {
                System.err.println("cluster: " + e.getMessage());
            }
        };
        if (loop.inLoop()) {
            reporting.run();
        } else {
            loop.execute(reporting);
        }
    }

    /** Runs {@code task} on the loop and waits for its result (on the loop thread: runs it now); its exception is thrown here. */
    private <T> T call(Callable<T> task) throws IOException {
        if (loop.inLoop()) {
            // Waiting for a task queued on our own thread would wait for ever.
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        try {
            return loop.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the cluster's loop", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /** Waits for {@code future} up to {@code deadline}; true when it completed, normally or not. */
    private static boolean await(CompletableFuture<?> future, Duration deadline) {
        try {
            future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code events}, each callback guarded: what the owner's callback throws is reported, and the
     * master goes on. Unguarded, a throw in {@code online} would end the channel listener's watch (no
     * worker welcomed again), and one in {@code exit} would skip the restart.
     */
    private static ClusterEvents reporting(ClusterEvents events, EventLoop loop) {
        return new ClusterEvents() {
            @Override
            public void online(WorkerHandle worker) {
                guard("online", () -> events.online(worker));
            }

            @Override
            public void listening(WorkerHandle worker, int port) {
                guard("listening", () -> events.listening(worker, port));
            }

            @Override
            public void ready(WorkerHandle worker) {
                guard("ready", () -> events.ready(worker));
            }

            @Override
            public void disconnect(WorkerHandle worker) {
                guard("disconnect", () -> events.disconnect(worker));
            }

            @Override
            public void exit(WorkerHandle worker, ExitStatus status) {
                guard("exit", () -> events.exit(worker, status));
            }

            private void guard(String event, Runnable callback) {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    loop.report("the ClusterEvents callback " + event, e, "the master goes on");
                }
            }
        };
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.err.println("cluster: closing " + closeable + ": " + e.getMessage());
            }
        }
    }
}
