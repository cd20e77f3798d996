package ipclab.lab10;

import ipclab.support.ChannelDescriptor;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import ipclab.support.net.Accepts;
import ipclab.support.net.Sockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A worker process: the main class a {@link Cluster} forks. It connects its channel to the master,
 * learns the scheduling from the {@code setup} message, gets its connections the way that
 * scheduling says, and answers each one after the delay with {@link #answer()} and EOF.
 *
 * <p>One {@link EventLoop}, run by the main thread, does everything: the channel, the listener it
 * accepts on (shared, reuseport), and the timers that answer after the delay. So the fields below
 * need no lock. Node's counterpart is {@code lib/internal/cluster/child.js}.
 *
 * <p>It exits 0 after a graceful {@code disconnect} once its open connections are answered, and
 * {@link #MASTER_GONE_EXIT} when the channel closes under it (the master died).
 */
public final class ClusterWorker {

    /** The exit status of a worker whose master has gone away (its channel reached EOF). Node exits 0 (child.js 44–51). */
    public static final int MASTER_GONE_EXIT = 75;

    /**
     * The exit status of a worker that failed to handle one of the master's messages (its channel is
     * then closed, the two ends being out of step): EX_SOFTWARE of sysexits.h. Not
     * {@link #MASTER_GONE_EXIT}: the master is alive, and this worker is the one to look at.
     */
    public static final int PROTOCOL_ERROR_EXIT = 70;

    /** How many connections one wake-up of the listener accepts at most (as the master's {@link Cluster#ACCEPTS_PER_WAKEUP}). */
    private static final int ACCEPTS_PER_WAKEUP = Cluster.ACCEPTS_PER_WAKEUP;

    /** This process's loop, run by the main thread. */
    private final EventLoop loop;
    /** The channel to the master. Node: {@code process.channel}. */
    private final ClusterChannel channel;
    /** {@link #answer()}'s bytes, in native memory once: every client gets the same. */
    private final MemorySegment answer;
    /** The master's first message: scheduling, host, port, delay. */
    private ClusterMessage setup;
    /** The watch on the listener this worker accepts on (shared, reuseport), or null. Node: the server's handle. */
    private Watch accepting;
    /** Reuseport: the listener of our own; null in the other modes. */
    private ServerSocketChannel ownListener;
    /** Connections taken and not yet answered. Node: {@code server._connections}. */
    private int open;
    /** True once the master said {@code disconnect}: no new connections (Node: the server is closed, child.js 253–294). */
    private boolean leaving;

    private ClusterWorker(EventLoop loop, ClusterChannel channel) {
        this.loop = loop;
        this.channel = channel;
        byte[] bytes = answer().getBytes(StandardCharsets.UTF_8);
        this.answer = Arena.ofAuto().allocate(bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, answer, 0, bytes.length);
    }

    /** Connects to the master and runs the loop on the main thread, until an exit. */
    public static void main(String[] args) throws Exception {
        EventLoop loop = EventLoop.open();
        ClusterWorker worker = new ClusterWorker(loop, ClusterChannel.connect(loop));
        worker.channel.start(worker::onMessage, worker::onChannelClosed);
        loop.run();
    }

    /** The channel has closed: the master is gone, unless it was this worker's own handling of a message that failed. */
    private void onChannelClosed() {
        Exception failure = channel.failure();
        if (failure == null) {
            onMasterGone();
            return;
        }
        // Its stack trace is printed above; a restart runs the same code, so the master will see this again.
        System.err.println("[worker " + ProcessHandle.current().pid() + "] handling a message from the master failed (" + failure
                + "): exiting with " + PROTOCOL_ERROR_EXIT);
        System.err.flush();
        System.exit(PROTOCOL_ERROR_EXIT);
    }

    /** The answer every client gets: the seed program's line, ending with a newline. */
    public static String answer() {
        return "Request handled by worker-" + ProcessHandle.current().pid() + "\n";
    }

    /** Every message from the master, on the loop. */
    private void onMessage(ClusterMessage message, int fd) throws IOException {
        switch (message.act()) {
            case "setup" -> {
                setup = message;
                switch (Scheduling.parse(setup.scheduling())) {
                    case RR -> channel.send(ClusterMessage.listening(setup.port()));
                    case SHARED -> startShared(fd);
                    case REUSEPORT -> startReusePort();
                }
            }
            case "newconn" -> onNewConn(message.seq(), fd);
            case "disconnect" -> onDisconnect();
            default -> {
                Libc.closeQuietly(fd, "worker");
                System.err.println("worker: unknown message " + message);
            }
        }
    }

    /** Round-robin: a connected socket from the master. Reply first, as Node does, then serve it; when leaving, refuse it. */
    private void onNewConn(long seq, int fd) throws IOException {
        throw new UnsupportedOperationException("TODO: reply accepted first, then serve the socket; when leaving, reply refused and close our copy");
    }

    /** Answers {@code fd} after the delay: at once, inline, when it is 0; else on a loop timer. Counts it open meanwhile. */
    private void serve(int fd) {
        throw new UnsupportedOperationException("TODO: count it open; answer it (respond) at once when the delay is 0, else on a loop timer; the last one after a disconnect leaves");
    }

    /** Shared: the master's listening socket came with setup. Watch it, and let one worker wake per connection. */
    private void startShared(int listenFd) throws IOException {
        throw new UnsupportedOperationException("TODO: make the received listener non-blocking, watch it READABLE | EXCLUSIVE (acceptAll), report listening");
    }

    /** SO_REUSEPORT: a listener of our own on the same port; the kernel spreads connections across them. */
    private void startReusePort() throws IOException {
        throw new UnsupportedOperationException("TODO: open a listener of our own with SO_REUSEPORT on setup's host and port, non-blocking, watch it (acceptAll), report listening");
    }

    /** The listener is readable: accept a batch, until EAGAIN (another worker took the rest), and serve each. */
    private void acceptAll() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: take connections with Accepts.next(accepting, 0) until it answers -1, at most ACCEPTS_PER_WAKEUP, and serve each");
    }

    /** The master asks us to leave: stop accepting, finish the open connections, then {@link #leave()}. */
    private void onDisconnect() throws IOException {
        throw new UnsupportedOperationException("TODO: stop accepting (cancel the watch, then close the listener), and leave at once if nothing is open");
    }

    /** Every open connection is answered after a disconnect: close the channel (the master sees EOF), exit 0. */
    private void leave() {
        throw new UnsupportedOperationException("TODO: close the channel (the master reads EOF) and exit 0");
    }

    /** The channel closed under us: the master died. */
    private void onMasterGone() {
        throw new UnsupportedOperationException("TODO: print \"[worker PID] the master is gone (channel closed): exiting\", flush, exit with MASTER_GONE_EXIT");
    }

    /** Writes {@link #answer()} to a client and closes it (the client reads EOF). */
    private void respond(int fd) {
        try {
            // A fresh socket's buffer holds these few bytes at once: the send does not wait.
            Sockets.send(fd, answer, answer.byteSize());
        } catch (ErrnoException e) {
            System.err.println("worker: could not answer a client: " + e.getMessage());
        }
        Libc.closeQuietly(fd, "worker");
    }
}
