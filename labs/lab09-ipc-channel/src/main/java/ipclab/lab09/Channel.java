package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.support.ChildJvm;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * One end of a parent↔child channel, like Node's {@code process.send} / {@code on('message')}:
 * JSON messages, one per line, over a connected Unix domain stream socket, optionally with a
 * descriptor attached (SCM_RIGHTS) that the receiver acknowledges.
 *
 * <p>Two threads per channel: the <em>writer</em> takes lines from a queue and writes them, so
 * {@link #send} never blocks, however slow the peer; the <em>reader</em> reads, splits lines,
 * matches descriptors to the messages flagged as carrying one, and calls the listeners. Register
 * listeners first, then {@link #start()}: a message that arrives before anyone listens is lost.
 */
public final class Channel implements AutoCloseable {

    /** The environment variable through which a child finds its channel (Node: NODE_CHANNEL_FD). */
    public static final String ENVIRONMENT_VARIABLE = "IPCLAB_CHANNEL";
    /**
     * A child's exit status when its parent's end of the channel closed and the child did not ask
     * for it (the parent exited, crashed, or disconnected): a child without its parent has nobody to
     * work for. Different from ChildMain's 86, so you can tell the channel did it.
     */
    public static final int CHANNEL_CLOSED_EXIT = 87;
    /** Room for descriptors in one read: a few handle messages may arrive in one recvmsg. */
    static final int MAX_DESCRIPTORS_PER_READ = 16;
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(5);

    /** One line for the writer; {@code handle} is set when a descriptor must ride on it. */
    private record Outgoing(byte[] line, PendingHandle handle) {
    }

    /** Tells the writer that everything before it has been written: half-close our side now. */
    private static final Outgoing END_OF_STREAM = new Outgoing(new byte[0], null);

    private final AFUNIXSocketChannel socket;
    private final ChannelOptions options;
    private final String name;
    private final List<Consumer<Message>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> disconnectListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<IOException>> errorListeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong nextSeq = new AtomicLong(1);
    /**
     * Held while a message gets its seq and its line enters the queue, and by {@link #disconnect()}:
     * so lines are queued in seq order (the receiver tells a retry from a new handle by its seq) and
     * nothing is queued behind END_OF_STREAM, where the writer would never reach it.
     */
    private final Object sendOrder = new Object();
    private final Map<Long, PendingHandle> pendingHandles = new ConcurrentHashMap<>();
    /** Descriptors that arrived and wait for their message (Node: the handle FIFO). Reader thread only. */
    private final Deque<FileDescriptor> arrivedHandles = new ArrayDeque<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> whenClosed = new CompletableFuture<>();
    private volatile boolean disconnectRequested;
    private long lastHandleSeq;
    private Thread reader;
    private Thread writer;

    Channel(AFUNIXSocketChannel socket, ChannelOptions options, String name) {
        this.socket = socket;
        this.options = options;
        this.name = name;
    }

    /**
     * Starts a child JVM with a channel to it: creates a private socket ({@link ChannelServer}),
     * passes its path in {@link #ENVIRONMENT_VARIABLE}, accepts only that child. The returned
     * channel is not started yet: add listeners, then {@link #start()}.
     */
    public static Forked fork(ChildJvm child, Duration deadline) throws IOException {
        return fork(child, deadline, ChannelOptions.defaults());
    }

    public static Forked fork(ChildJvm child, Duration deadline, ChannelOptions options) throws IOException {
        try (ChannelServer server = ChannelServer.create()) {
            var process = child.env(ENVIRONMENT_VARIABLE, server.socketPath().toString()).start();
            try {
                return new Forked(process, server.accept(process.pid(), deadline, options));
            } catch (IOException | RuntimeException e) {
                process.close();
                throw e;
            }
        }
    }

    /**
     * The child's end: connects to the socket named in {@link #ENVIRONMENT_VARIABLE}. Not started
     * yet. With the default options of a child: when the parent's end closes, the process exits
     * with {@link #CHANNEL_CLOSED_EXIT} after the disconnect listeners ran.
     */
    public static Channel fromEnvironment() throws IOException {
        return fromEnvironment(ChannelOptions.defaults().withExitOnUnexpectedEof(true));
    }

    /** As {@link #fromEnvironment()}, with the given options (exitOnUnexpectedEof false: the child outlives its channel). */
    public static Channel fromEnvironment(ChannelOptions options) throws IOException {
        throw new UnsupportedOperationException("TODO: read IPCLAB_CHANNEL (clear IllegalStateException when unset) and connect(2) to that socket path");
    }

    /** Calls {@code listener} on the reader thread for every message, in the order they were sent. */
    public Channel onMessage(Consumer<Message> listener) {
        messageListeners.add(listener);
        return this;
    }

    /** Calls {@code listener} once, when the channel has closed (either side, any reason). */
    public Channel onDisconnect(Runnable listener) {
        disconnectListeners.add(listener);
        return this;
    }

    /** Calls {@code listener} when the peer broke the rules ({@link ProtocolException}); the channel closes after it. */
    public Channel onError(Consumer<IOException> listener) {
        errorListeners.add(listener);
        return this;
    }

    /** Starts the reader and the writer thread. */
    public Channel start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("start: " + name + " was started already");
        }
        // junixsocket only collects descriptors when it has a control buffer to put them in.
        socket.socket().setAncillaryReceiveBufferSize(ScmRightsSpace.forDescriptors(MAX_DESCRIPTORS_PER_READ));
        writer = Thread.ofPlatform().daemon().name(name + " writer").start(this::writeLoop);
        reader = Thread.ofPlatform().daemon().name(name + " reader").start(this::readLoop);
        return this;
    }

    /**
     * Queues {@code body} for the peer. Never blocks.
     *
     * @return false when more than the high-water mark of bytes is queued and not yet written (the
     *         peer is not keeping up): the message is queued all the same, but stop sending for a while
     * @throws ChannelClosedException when the channel is closed or disconnecting
     */
    public boolean send(JsonNode body) throws IOException {
        throw new UnsupportedOperationException("TODO: under sendOrder: checkOpen, then enqueue the message envelope's line; return what enqueue says (false: over the high-water mark)");
    }

    /**
     * Sends {@code body} with {@code handle} attached. The channel keeps a duplicate of the
     * descriptor until the peer acknowledges the message (so you may close yours at once), sends it
     * again when no ack comes within the ack timeout, and gives up after the configured attempts.
     *
     * @return completes when the peer acknowledged; fails with {@link HandleNotAcknowledgedException}
     *         when the attempts ran out, or {@link ChannelClosedException} when the channel closed first
     */
    public CompletableFuture<Void> send(JsonNode body, FileDescriptor handle) throws IOException {
        throw new UnsupportedOperationException("TODO: under sendOrder: checkOpen, dup(2) the handle (Descriptors.dup), remember a PendingHandle under a new seq, transmit it, return its future");
    }

    /** Bytes queued for the peer and not yet written to the socket. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** True until the channel has closed or begun to disconnect. */
    public boolean isConnected() {
        return !closed.get() && !disconnectRequested;
    }

    /** Completes when the channel has closed, for any reason. */
    public CompletableFuture<Void> whenClosed() {
        return whenClosed;
    }

    /**
     * Disconnects gracefully: everything queued before is still written, then our side of the
     * socket is shut down (the peer reads EOF and closes its end), then the channel closes when the
     * peer's EOF reaches us. Returns at once; the future completes when the channel is closed.
     */
    public CompletableFuture<Void> disconnect() {
        throw new UnsupportedOperationException("TODO: under sendOrder, once: mark the channel as disconnecting and queue END_OF_STREAM (the writer half-closes with shutdown(2) after the queued lines)");
    }

    /** Closes now: queued messages are dropped, pending sends fail, both threads are joined. */
    @Override
    public void close() {
        shutDown(null, false);
        join(writer);
        join(reader);
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- writing ----------------------------------------------------------------------------

    private boolean enqueue(Outgoing line) {
        long queued = queuedBytes.addAndGet(line.line().length);
        outgoing.add(line);
        return queued <= options.highWaterMark();
    }

    /** One attempt to deliver a handle message: queued for the writer, which starts its ack timer. */
    private void transmit(PendingHandle pending) {
        pending.attempts.incrementAndGet();
        enqueue(new Outgoing(pending.line, pending));
    }

    /**
     * Starts waiting for the ack of the attempt just written. The timeout counts from the sendmsg,
     * not from the queue: behind a backlog, a handle waits its turn without being given up on.
     */
    private void startAckTimer(PendingHandle pending) {
        int attempt = pending.attempts.get();
        CompletableFuture.delayedExecutor(options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> ackOverdue(pending, attempt));
    }

    private void ackOverdue(PendingHandle pending, int attempt) {
        throw new UnsupportedOperationException("TODO: no ack yet: transmit again while attempts remain and we are not disconnecting, else release the dup and fail the future with HandleNotAcknowledgedException");
    }

    private void writeLoop() {
        throw new UnsupportedOperationException("TODO: take lines from the queue and write(2) each fully (with its handle: writeWithHandle); on END_OF_STREAM shutdownOutput; subtract written bytes");
    }

    private void writeWithHandle(Outgoing next) throws IOException {
        throw new UnsupportedOperationException("TODO: under the PendingHandle's lock: unless released, attach its descriptor (setOutboundFileDescriptors) to one sendmsg(2) of the line, then startAckTimer");
    }

    private void writeFully(byte[] line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    private void readLoop() {
        throw new UnsupportedOperationException("TODO: read(2) into a buffer, queue received descriptors (getReceivedFileDescriptors), split lines, parse and dispatch; EOF or bad input ends in shutDown");
    }

    private void dispatch(Envelope envelope) throws IOException {
        throw new UnsupportedOperationException("TODO: an ack completes its PendingHandle; a \"handle\" message takes the next queued descriptor and is acked; call the message listeners");
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * The one way the channel ends, whoever calls first: report the error, close the socket and
     * every descriptor we still hold, fail what waits, tell the listeners once.
     */
    private void shutDown(IOException error, boolean unexpectedEof) {
        throw new UnsupportedOperationException("TODO: once: report the error, close(2) the socket, remove and release each pending handle (fail its future), run the disconnect listeners (runGuarded), exit on an unexpected EOF if configured");
    }

    private void closeArrivedHandles() {
        for (FileDescriptor fd : arrivedHandles) {
            try {
                Descriptors.close(fd);
            } catch (IOException ignored) {
                // Closing a descriptor nobody else has: it cannot be in use.
            }
        }
        arrivedHandles.clear();
    }

    private void join(Thread thread) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            if (!thread.join(JOIN_DEADLINE)) {
                System.err.println(name + ": " + thread.getName() + " did not finish within " + JOIN_DEADLINE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread == reader) {
            closeArrivedHandles(); // the reader is done: nobody else touches the FIFO now
        }
    }

    /** Runs a listener; one that throws must not stop the channel from closing, nor the other listeners. */
    private void runGuarded(Runnable listener, String what) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            System.err.println(name + ": " + what + " threw " + e);
        }
    }

    private void checkOpen(String call) throws ChannelClosedException {
        if (closed.get() || disconnectRequested) {
            throw new ChannelClosedException(call + ": " + name + " is " + (closed.get() ? "closed" : "disconnecting"));
        }
    }

    /** A handle message waiting for its ack, with the duplicate descriptor we keep until then. */
    private static final class PendingHandle {
        final long seq;
        final byte[] line;
        final FileDescriptor descriptor;
        final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        boolean released;

        PendingHandle(long seq, byte[] line, FileDescriptor descriptor) {
            this.seq = seq;
            this.line = line;
            this.descriptor = descriptor;
        }

        /** Closes our duplicate, once; never while the writer is sending it (same lock). */
        synchronized void release() {
            if (!released) {
                released = true;
                try {
                    Descriptors.close(descriptor);
                } catch (IOException ignored) {
                    // Ours alone; closing cannot fail in a way we could act on.
                }
            }
        }
    }

    /** CMSG_SPACE for SCM_RIGHTS on 64-bit Linux: a 16-byte header plus the ints, padded to 8. */
    private static final class ScmRightsSpace {
        static int forDescriptors(int count) {
            return 16 + ((count * Integer.BYTES + 7) & ~7);
        }
    }
}
