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
        String path = System.getenv(ENVIRONMENT_VARIABLE);
        if (path == null || path.isBlank()) {
            throw new IllegalStateException(ENVIRONMENT_VARIABLE + " is not set: this process was not started with a channel. "
                    + "Start it from the parent with Channel.fork(ChildJvm.main(...), deadline), which creates the socket "
                    + "and passes its path in " + ENVIRONMENT_VARIABLE);
        }
        AFUNIXSocketChannel socket = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(Path.of(path)));
        return new Channel(socket, options, "child end of the channel (pid " + ProcessHandle.current().pid() + ")");
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
        synchronized (sendOrder) {
            checkOpen("send");
            return enqueue(new Outgoing(Envelope.message(nextSeq.getAndIncrement(), false, body).toLine(), null));
        }
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
        synchronized (sendOrder) {
            checkOpen("send");
            long seq = nextSeq.getAndIncrement();
            PendingHandle pending = new PendingHandle(seq, Envelope.message(seq, true, body).toLine(), Descriptors.dup(handle));
            pendingHandles.put(seq, pending);
            if (closed.get() && pendingHandles.remove(seq) != null) {
                // Closed while we were preparing it: shutDown may have missed this one, so release it here.
                pending.release();
                pending.acknowledged.completeExceptionally(new ChannelClosedException("send: " + name + " is closed"));
                return pending.acknowledged;
            }
            transmit(pending);
            return pending.acknowledged;
        }
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
        synchronized (sendOrder) {
            if (!closed.get() && !disconnectRequested) {
                disconnectRequested = true;
                outgoing.add(END_OF_STREAM);
            }
        }
        return whenClosed;
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
        if (pending.acknowledged.isDone() || pending.attempts.get() != attempt || closed.get()) {
            return;
        }
        if (attempt < options.handleAttempts() && !disconnectRequested) {
            transmit(pending); // (not when disconnecting: nothing gets past END_OF_STREAM)
            return;
        }
        pendingHandles.remove(pending.seq);
        pending.release();
        pending.acknowledged.completeExceptionally(
                new HandleNotAcknowledgedException(pending.seq, attempt, options.ackTimeout()));
    }

    private void writeLoop() {
        try {
            while (true) {
                Outgoing next = outgoing.take();
                if (next == END_OF_STREAM) {
                    // Half-close: the peer reads EOF after our last line; we keep reading until its EOF.
                    socket.shutdownOutput();
                    return;
                }
                if (next.handle() == null) {
                    writeFully(next.line());
                } else {
                    writeWithHandle(next);
                }
                queuedBytes.addAndGet(-next.line().length);
            }
        } catch (InterruptedException | IOException e) {
            // Closed under us (close(), or the peer went away): the reader reports the end.
        }
    }

    private void writeWithHandle(Outgoing next) throws IOException {
        PendingHandle pending = next.handle();
        synchronized (pending) {
            if (pending.released) {
                return; // acknowledged or given up while it waited in the queue: no descriptor to send
            }
            // The descriptor rides on the first byte of this write; the line starts with it.
            socket.setOutboundFileDescriptors(pending.descriptor);
            try {
                writeFully(next.line());
            } finally {
                socket.setOutboundFileDescriptors((FileDescriptor[]) null);
            }
            startAckTimer(pending);
        }
    }

    private void writeFully(byte[] line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    private void readLoop() {
        LineSplitter splitter = new LineSplitter(options.maxLineBytes());
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buffer.clear();
                int count = socket.read(buffer);
                if (count < 0) {
                    shutDown(null, !disconnectRequested);
                    return;
                }
                FileDescriptor[] arrived = socket.getReceivedFileDescriptors();
                if (arrived != null) {
                    arrivedHandles.addAll(List.of(arrived));
                }
                for (byte[] line : splitter.feed(buffer.array(), count)) {
                    dispatch(Envelope.parse(line));
                }
                // A descriptor rides on the first byte of its line. If every line read so far is
                // complete and a descriptor is still unclaimed, no message announced it.
                if (!arrivedHandles.isEmpty() && !splitter.hasPartialLine()) {
                    throw new ProtocolException("unexpected descriptor: " + arrivedHandles.size() + " arrived with a message "
                            + "not flagged as carrying one (\"handle\":true); closed them");
                }
            }
        } catch (ProtocolException e) {
            shutDown(e, false);
        } catch (IOException e) {
            // Reading failed because close() closed the socket, or the peer reset the connection.
            shutDown(null, !closed.get() && !disconnectRequested);
        }
    }

    private void dispatch(Envelope envelope) throws IOException {
        if (envelope.kind().equals(Envelope.ACK)) {
            PendingHandle pending = pendingHandles.remove(envelope.seq());
            if (pending != null) {
                pending.release(); // the peer has its own descriptor now: ours can go
                pending.acknowledged.complete(null);
            }
            return;
        }
        Optional<FileDescriptor> handle = Optional.empty();
        if (envelope.handle()) {
            FileDescriptor fd = arrivedHandles.pollFirst();
            if (fd == null) {
                throw new ProtocolException("message #" + envelope.seq() + " is flagged as carrying a descriptor, but none arrived with it");
            }
            enqueue(new Outgoing(Envelope.ack(envelope.seq()).toLine(), null));
            if (envelope.seq() <= lastHandleSeq) {
                Descriptors.close(fd); // a retry of a message we delivered: the ack above was all it needed
                return;
            }
            lastHandleSeq = envelope.seq();
            if (messageListeners.isEmpty()) {
                Descriptors.close(fd); // nobody to hand it to
                return;
            }
            handle = Optional.of(fd);
        }
        Message message = new Message(envelope.body(), handle);
        for (Consumer<Message> listener : messageListeners) {
            try {
                listener.accept(message);
            } catch (RuntimeException e) {
                System.err.println(name + ": a message listener threw " + e);
            }
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * The one way the channel ends, whoever calls first: report the error, close the socket and
     * every descriptor we still hold, fail what waits, tell the listeners once.
     */
    private void shutDown(IOException error, boolean unexpectedEof) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (error != null) {
            for (Consumer<IOException> listener : errorListeners) {
                runGuarded(() -> listener.accept(error), "an error listener");
            }
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all we wanted; a failure cannot leave it more open.
        }
        if (writer != null) {
            writer.interrupt();
        }
        outgoing.clear();
        queuedBytes.set(0);
        if (Thread.currentThread() == reader || reader == null) {
            closeArrivedHandles();
        }
        ChannelClosedException gone = new ChannelClosedException(name + " closed before the peer acknowledged the handle");
        // Remove each by its key: a send racing with us either finds it gone (we release it) or
        // removes it first (it releases it); clear() would drop one without releasing its dup.
        for (Long seq : List.copyOf(pendingHandles.keySet())) {
            PendingHandle pending = pendingHandles.remove(seq);
            if (pending != null) {
                pending.release();
                pending.acknowledged.completeExceptionally(gone);
            }
        }
        for (Runnable listener : disconnectListeners) {
            runGuarded(listener, "a disconnect listener");
        }
        if (unexpectedEof && options.exitOnUnexpectedEof()) {
            // Before whenClosed completes: a main thread waiting on it would otherwise end the JVM with status 0.
            System.err.println(name + ": the parent's end of the channel closed; exiting with status " + CHANNEL_CLOSED_EXIT);
            System.exit(CHANNEL_CLOSED_EXIT);
        }
        whenClosed.complete(null);
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
