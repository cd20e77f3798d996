package ipclab.lab10;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.RunTag;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import ipclab.support.net.Accepts;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The master&harr;worker channel: a Unix-domain {@code SOCK_SEQPACKET} socket (lab 05), watched on
 * the process's {@link EventLoop}. One {@link ClusterMessage} is one datagram holding one JSON
 * object, with at most one descriptor attached ({@code SCM_RIGHTS}, lab 08).
 *
 * <p>Why it is this small. A seqpacket socket keeps message boundaries, so there is no line
 * splitting; the kernel delivers a descriptor with the very datagram it was sent with, so there is no
 * queue of descriptors waiting for their lines; and the traffic is tiny and ack-gated (at most one
 * {@code newconn} in flight per worker), so a send is made at once and never queued. A send the
 * kernel cannot take ({@code EAGAIN}) means the peer has stopped reading: the channel is closed
 * rather than given a write queue. Lab 09 builds the general channel (a byte stream, a write queue,
 * backpressure, Node's ACK/NACK for handles); this one is given so that lab 10 depends on neither
 * lab 08 nor lab 09.
 *
 * <p>How the two ends find each other: the master {@link Listener#open opens} a listener under a
 * fresh abstract name (no file to clean up; the name carries this run's {@link RunTag}) and gives it
 * to each worker in the environment variable {@link #ENV}. Anybody on the machine could connect to an
 * abstract name, so the master checks {@link #peerPid()}: the kernel says which process connected
 * ({@code SO_PEERCRED}), and only a worker it forked is let in.
 *
 * <p>Every method except {@link #peerPid()} must be called on the loop's thread. Given code.
 */
public final class ClusterChannel implements AutoCloseable {

    /** The environment variable that gives a worker the master's channel name. */
    public static final String ENV = "IPCLAB_CLUSTER_CHANNEL";

    /** The largest message: a datagram that does not fit is a protocol error, and closes the channel. */
    public static final int MAX_MESSAGE_BYTES = 4096;

    /** How many datagrams one wake-up reads at most, so that one busy channel cannot starve the others (libuv: 32). */
    private static final int READS_PER_WAKEUP = 16;

    /** What a channel delivers: each message with the descriptor that came with it, or -1. */
    @FunctionalInterface
    public interface Receiver {
        /**
         * Called on the loop thread for every message, in order. {@code fd} is open in this process
         * and yours to close (or to keep).
         *
         * @throws IOException reported; the channel is then closed, as the two ends are out of step
         */
        void message(ClusterMessage message, int fd) throws IOException;
    }

    /** The master's listening end: every worker that connects becomes a channel handed to {@code onConnect}. */
    public static final class Listener implements AutoCloseable {
        private final int fd;
        private final String name;
        private final Watch watch;
        /** Its own flag, not the watch's: a watch can end without {@link #close()}, and the socket must still be closed once. */
        private boolean closed;

        private Listener(int fd, String name, Watch watch) {
            this.fd = fd;
            this.name = name;
            this.watch = watch;
        }

        /**
         * Listens under a fresh abstract name and watches for workers on {@code loop}. Each connection
         * is given to {@code onConnect} not yet started: check {@link #peerPid()}, then
         * {@link #start} it (or close it). When {@code onConnect} throws, that channel is closed and
         * the failure reported; the next worker is still welcomed.
         */
        public static Listener open(EventLoop loop, Consumer<ClusterChannel> onConnect) throws IOException {
            String name = RunTag.uniqueName("cluster");
            int fd = Sockets.listenUnixAbstract(name, Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
            try {
                // Accepts, not accept4: out of descriptors, the listener rests instead of losing its watch.
                Watch watch = loop.watch(fd, EventLoop.READABLE, (w, events) -> {
                    for (int channel; (channel = Accepts.next(w, Sockets.SOCK_NONBLOCK)) >= 0; ) {
                        handOver(loop, onConnect, new ClusterChannel(loop, channel));
                    }
                });
                return new Listener(fd, name, watch);
            } catch (IOException | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }

        /** A throw from {@code onConnect} would end the listener's watch: no worker, not even a replacement, would be welcomed again. */
        private static void handOver(EventLoop loop, Consumer<ClusterChannel> onConnect, ClusterChannel channel) {
            try {
                onConnect.accept(channel);
            } catch (RuntimeException e) {
                loop.report("welcoming a worker's channel", e, "that channel is closed; the next worker is welcomed as usual");
                channel.close();
            }
        }

        /** The abstract name a worker connects to (put it in {@link #ENV}). */
        public String name() {
            return name;
        }

        /** Stops listening: workers that connect from now on are refused. */
        @Override
        public void close() throws ErrnoException {
            if (closed) {
                return;
            }
            closed = true;
            if (watch.isActive()) {
                watch.cancel(); // before close(2): see Watch.cancel
            }
            Libc.close(fd);
        }
    }

    private final EventLoop loop;
    private final int fd;
    private final Arena arena = Arena.ofAuto();
    /** One byte more than the largest message, so that a longer one is seen to be too long. */
    private final MemorySegment incoming = arena.allocate(MAX_MESSAGE_BYTES + 1);
    private final MemorySegment outgoing = arena.allocate(MAX_MESSAGE_BYTES);
    /** Room for one descriptor: a second one attached to a datagram is dropped by the kernel (truncated). */
    private final Received received = new Received(1);
    private Watch watch;
    private Receiver receiver;
    private Runnable onClosed;
    private boolean closed;
    private boolean notified;
    /** A failed send closed the channel and posted {@code onClosed} to the loop's next turn; {@link #drain()} runs it sooner. */
    private boolean notifyPending;
    /** What our own receiver threw, when that is why the channel closed; null when the peer ended it or broke it. */
    private Exception failure;

    private ClusterChannel(EventLoop loop, int fd) {
        this.loop = loop;
        this.fd = fd;
    }

    /** A worker: connects to the master named in {@link #ENV}. Blocks until the master's kernel takes the connection. */
    public static ClusterChannel connect(EventLoop loop) throws IOException {
        String name = System.getenv(ENV);
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("no " + ENV + " in the environment: a worker is started by a Cluster, not by hand");
        }
        int fd = Sockets.connectUnixAbstract(name, Sockets.SOCK_SEQPACKET);
        try {
            Sockets.setNonBlocking(fd);
        } catch (ErrnoException e) {
            Libc.close(fd);
            throw e;
        }
        return new ClusterChannel(loop, fd);
    }

    /** The pid of the process at the other end, as the kernel recorded it when it connected (SO_PEERCRED). */
    public long peerPid() throws ErrnoException {
        return Sockets.peerCredentials(fd).pid();
    }

    /**
     * Starts reading on the loop: every message goes to {@code receiver}, in order. When the peer
     * closes its end or dies, when a datagram breaks the protocol, or when a send fails,
     * {@code onClosed} runs once, on the loop, after the channel is closed. It does not run when you
     * {@link #close()} the channel yourself.
     */
    public void start(Receiver receiver, Runnable onClosed) throws ErrnoException {
        this.receiver = receiver;
        this.onClosed = onClosed;
        watch = loop.watch(fd, EventLoop.READABLE, (w, events) -> read(READS_PER_WAKEUP));
    }

    /** Sends {@code message} with no descriptor. See {@link #send(ClusterMessage, int)}. */
    public void send(ClusterMessage message) throws IOException {
        send(message, -1);
    }

    /**
     * Sends {@code message} now, in one sendmsg(2), with {@code attachFd} when it is not negative
     * (our copy stays open: the peer gets a new descriptor for the same open file description).
     *
     * @throws IOException when the channel is closed, or when this send closed it: the peer is gone
     *                     (EPIPE, ECONNRESET) or has stopped reading (EAGAIN). Then {@code onClosed}
     *                     follows in the loop's next turn, not inside this call.
     */
    public void send(ClusterMessage message, int attachFd) throws IOException {
        if (closed) {
            throw new IOException("cluster channel fd " + fd + " is closed: cannot send " + message.act());
        }
        byte[] bytes = message.toJson();
        if (bytes.length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(message.act() + " is " + bytes.length + " bytes; a channel message has at most "
                    + MAX_MESSAGE_BYTES);
        }
        MemorySegment.copy(bytes, 0, outgoing, ValueLayout.JAVA_BYTE, 0, bytes.length);
        String failure;
        try {
            // A seqpacket datagram goes whole or not at all: no partial sends to finish later.
            if (Sockets.sendmsg(fd, outgoing, bytes.length, attachFd) >= 0) {
                return;
            }
            failure = "sendmsg gave EAGAIN: the peer has stopped reading its channel";
        } catch (ErrnoException e) {
            failure = e.getMessage();
        }
        close();
        notifyPending = true;
        try {
            loop.execute(this::notifyClosed);
        } catch (RejectedExecutionException e) {
            // the loop is closed: nobody is left to tell
        }
        throw new IOException("cluster channel fd " + fd + ": " + message.act() + " not sent, channel closed: " + failure);
    }

    /**
     * Reads, now, every message that has arrived, up to and including the peer's end of stream. The
     * master calls it when a worker's exit is reported, so that the worker's last messages and its
     * {@code disconnect} come before its {@code exit}, as in Node.
     */
    public void drain() {
        read(Integer.MAX_VALUE);
        if (notifyPending) {
            // A send (made while draining, or earlier in this turn) failed and closed the channel; its
            // onClosed must come now, before the exit the caller is about to report, not next turn.
            notifyClosed();
        }
    }

    /**
     * What this end's {@link Receiver} threw when that closed the channel (the two ends are out of
     * step: a bug on this side), or null when the peer closed it, died or broke the protocol. Tells a
     * worker whose channel closed whether the master is gone, or whether it failed itself.
     */
    public Exception failure() {
        return failure;
    }

    /** True until the channel is closed, by either end. */
    public boolean isOpen() {
        return !closed;
    }

    /** Stops watching and closes the socket (the peer reads end of stream). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null) {
            watch.cancel(); // before close(2): see Watch.cancel
        }
        try {
            Libc.close(fd);
        } catch (ErrnoException e) {
            System.err.println("cluster channel: " + e.getMessage());
        }
    }

    private void read(int atMost) {
        for (int i = 0; i < atMost && !closed; i++) {
            int bytes;
            try {
                bytes = Sockets.recvmsg(fd, incoming, incoming.byteSize(), received);
            } catch (ErrnoException e) {
                closeAndNotify(e.getMessage()); // ECONNRESET: the peer died with our bytes unread
                return;
            }
            if (bytes < 0) {
                return; // EAGAIN: nothing more for now
            }
            int attached = received.descriptorCount() > 0 ? received.descriptor(0) : -1;
            if (bytes == 0) {
                Libc.closeQuietly(attached, "cluster channel");
                closeAndNotify(null); // end of stream: the peer closed its end or died
            } else if (bytes > MAX_MESSAGE_BYTES || received.truncated()) {
                // The kernel cut the datagram or dropped a second descriptor: what did arrive is ours
                // to close, and a message we cannot read whole leaves the two ends out of step.
                Libc.closeQuietly(attached, "cluster channel");
                closeAndNotify("a datagram was truncated (more than " + MAX_MESSAGE_BYTES + " bytes, or more than one descriptor)");
            } else {
                deliver(bytes, attached);
            }
        }
    }

    private void deliver(int bytes, int attached) {
        ClusterMessage message;
        try {
            message = ClusterMessage.fromJson(incoming.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE), bytes);
        } catch (IOException e) {
            Libc.closeQuietly(attached, "cluster channel");
            closeAndNotify("not a cluster message: " + e.getMessage());
            return;
        }
        try {
            receiver.message(message, attached);
        } catch (IOException | RuntimeException e) {
            failure = e;
            // Reported as the loop reports a callback that threw, so that the cause (a TODO, say) is
            // named before what follows from it: onClosed, which runs next.
            loop.report("the receiver of " + message.act() + " on cluster channel fd " + fd, e, "the channel is closed");
            closeAndNotify(null);
        }
    }

    private void closeAndNotify(String problem) {
        if (closed) {
            return;
        }
        if (problem != null) {
            System.err.println("cluster channel fd " + fd + ": " + problem + "; closing it");
        }
        close();
        notifyClosed();
    }

    private void notifyClosed() {
        if (!notified && onClosed != null) {
            notified = true;
            onClosed.run();
        }
    }
}
