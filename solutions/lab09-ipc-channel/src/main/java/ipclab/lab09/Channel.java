package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.support.ChildJvm;
import ipclab.support.Libc;
import ipclab.support.loop.CallbackFailures;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * One end of a parent↔child channel, like Node's {@code process.send} / {@code on('message')}:
 * JSON messages, one per line, over a connected Unix domain stream socket, optionally with a
 * descriptor attached (SCM_RIGHTS), on an {@link EventLoop}, as Node's channel is on libuv's.
 *
 * <p>No thread of its own: the loop calls it when the socket is readable (read, split, dispatch,
 * call the listeners) or writable (write what is queued). Every listener runs on the loop thread
 * and must not block. {@link #send}, {@link #disconnect} and {@link #close} may be called from any
 * thread; off the loop they hop onto it ({@link EventLoop#execute}), which costs one wake-up.
 * Register listeners first, then {@link #start()}: a message that arrives before anyone listens is lost.
 *
 * <p>Handles follow Node's protocol ({@code lib/internal/child_process.js}, {@code setupChannel}):
 * after a {@code handle} line, nothing but acks and nacks goes out until the peer's ack; a handle
 * line that arrives without its descriptor is answered with a nack, and the sender sends it again,
 * {@link ChannelOptions#maxHandleRetransmissions()} times at most.
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
    /** Reads per wake-up at most, so one busy peer cannot starve the loop's other work (libuv: 32, {@code stream.c} 1034). */
    static final int READS_PER_WAKEUP = 16;
    /** The native buffers for one recvmsg and one send. */
    static final int BUFFER_BYTES = 64 * 1024;
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(5);

    /** One line to write, and how much of it is written; {@code handle} is set for a handle line. */
    private static final class Out {
        final byte[] line;
        final PendingHandle handle;
        int written;

        Out(byte[] line, PendingHandle handle) {
            this.line = line;
            this.handle = handle;
        }
    }

    /** A handle message until its ack: Node's {@code _pendingMessage} ({@code child_process.js} 167–181). */
    private static final class PendingHandle {
        final byte[] line;
        /** Our dup of the caller's descriptor: it must still exist at the sendmsg, and at every re-send. */
        final FileDescriptor dup;
        final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        /** Node's {@code _pendingMessage.retransmissions}. */
        int retransmissions;
        /**
         * True once the first byte of the current transmission left, with the descriptor on it: only
         * then can the peer answer. Node needs no such flag, libuv writes the line at once or fails.
         */
        boolean sent;

        PendingHandle(byte[] line, FileDescriptor dup) {
            this.line = line;
            this.dup = dup;
        }

        /** Closes our dup and settles the future: {@code failure} null means acknowledged. Loop thread only. */
        void settle(IOException failure) {
            Descriptors.closeQuietly(dup);
            if (failure == null) {
                acknowledged.complete(null);
            } else {
                acknowledged.completeExceptionally(failure);
            }
        }
    }

    private final EventLoop loop;
    private final int fd;
    private final Closeable socket;
    private final ChannelOptions options;
    private final String name;
    private final List<Consumer<Message>> messageListeners = new CopyOnWriteArrayList<>();
    /** Listeners that read messages but never own a handle ({@link Rpc}): with only these, a received handle is closed. */
    private final List<Consumer<Message>> observers = new CopyOnWriteArrayList<>();
    private final List<Runnable> disconnectListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<IOException>> errorListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<Void> whenClosed = new CompletableFuture<>();
    /** Bytes given to {@link #send} and not yet written, held-back ones included: Node's {@code writeQueueSize}. Any thread. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Set by {@link #disconnect()} on the caller's thread: later sends are refused at once (Node: {@code connected = false}). */
    private volatile boolean disconnectRequested;
    /** Set once, on the loop, by {@link #shutDown}; read anywhere. */
    private volatile boolean closed;
    /** True on a channel from a Node parent: a handle must be one Node can take ({@link Descriptors#nodeCanTake}). Set before the channel is returned. */
    private boolean nodePeer;

    // ---- loop-confined: touched on the loop thread only, so without locks ----
    /** The unfinished line between reads: Node's {@code channel[kJSONBuffer]}. */
    private final LineSplitter splitter;
    /** What each recvmsg brought: bytes, descriptors, truncation. Reused, like the buffers below. */
    private final Received received = new Received();
    private final MemorySegment readBuffer;
    private final MemorySegment writeBuffer;
    private final byte[] readBytes = new byte[BUFFER_BYTES];
    /** The socket in the loop's epoll set: libuv's {@code uv__io_t} inside the channel's pipe handle. Null until {@link #start()}. */
    private Watch watch;
    /** Lines on their way to the socket, in order: lab 05's output buffer, libuv's {@code write_queue}. */
    private final ArrayDeque<Out> writeQueue = new ArrayDeque<>();
    /** Node's {@code _handleQueue}: null while the gate is open; non-null while a handle awaits its ack, holding what came after. */
    private ArrayDeque<Out> heldBack;
    /** Node's {@code _pendingMessage}: the handle message in flight, until its ack (or the last nack). */
    private PendingHandle awaiting;
    /** Node's {@code pendingHandle}: ONE slot for a descriptor that arrived before its line was parsed; -1 when empty. */
    private int arrived = -1;
    /** Set by {@link #disconnect()}'s task on the loop, behind every send made before it: half-close once drained. */
    private boolean halfCloseWanted;
    /** True once shutdown(SHUT_WR) was called: nothing can be written any more. */
    private boolean outputShut;

    private Channel(EventLoop loop, int fd, Closeable socket, ChannelOptions options, String name) {
        this.loop = loop;
        this.fd = fd;
        this.socket = socket;
        this.options = options;
        this.name = name;
        this.splitter = new LineSplitter(options.maxLineBytes());
        Arena arena = Arena.ofAuto(); // freed by the GC with the channel: nothing to close on any path
        this.readBuffer = arena.allocate(BUFFER_BYTES);
        this.writeBuffer = arena.allocate(BUFFER_BYTES);
    }

    /**
     * A channel over the connected stream socket {@code fd}, driven by {@code loop}; {@code socket}
     * closes it. The socket is made non-blocking here: on a loop, a read or write that would wait
     * must return at once (EAGAIN) instead.
     */
    static Channel wrap(EventLoop loop, int fd, Closeable socket, ChannelOptions options, String name) throws IOException {
        Sockets.setNonBlocking(fd);
        return new Channel(loop, fd, socket, options, name);
    }

    /** A channel over a connected junixsocket channel: the loop drives its descriptor, junixsocket closes it. */
    static Channel wrap(EventLoop loop, AFUNIXSocketChannel connection, ChannelOptions options, String name) throws IOException {
        connection.configureBlocking(false);
        return wrap(loop, Descriptors.number(connection.getFileDescriptor()), connection, options, name);
    }

    /**
     * Starts a child JVM with a channel to it on the process's loop ({@link EventLoop#main()}):
     * creates a private socket ({@link ChannelServer}), passes its path in
     * {@link #ENVIRONMENT_VARIABLE}, accepts only that child. Not started yet: add listeners, then {@link #start()}.
     */
    public static Forked fork(ChildJvm child, Duration deadline) throws IOException {
        return fork(child, deadline, ChannelOptions.defaults());
    }

    public static Forked fork(ChildJvm child, Duration deadline, ChannelOptions options) throws IOException {
        return fork(child, deadline, options, EventLoop.main());
    }

    /** As {@link #fork(ChildJvm, Duration)}, with the given options, on the given loop. */
    public static Forked fork(ChildJvm child, Duration deadline, ChannelOptions options, EventLoop loop) throws IOException {
        try (ChannelServer server = ChannelServer.create()) {
            var process = child.env(ENVIRONMENT_VARIABLE, server.socketPath().toString()).start();
            try {
                return new Forked(process, server.accept(process.pid(), deadline, options, loop));
            } catch (IOException | RuntimeException e) {
                process.close();
                throw e;
            }
        }
    }

    /**
     * The child's end: connects to the socket named in {@link #ENVIRONMENT_VARIABLE}, on the
     * process's loop. Not started yet. With the default options of a child: when the parent's end
     * closes, the process exits with {@link #CHANNEL_CLOSED_EXIT} after the disconnect listeners ran.
     */
    public static Channel fromEnvironment() throws IOException {
        return fromEnvironment(ChannelOptions.defaults().withExitOnUnexpectedEof(true));
    }

    /**
     * As {@link #fromEnvironment()}, with the given options (exitOnUnexpectedEof false: the child
     * outlives its channel). A child that a Node parent spawned with an {@code 'ipc'} entry in its
     * {@code stdio} speaks on the descriptor Node gave it instead ({@link #fromNodeParent}).
     */
    public static Channel fromEnvironment(ChannelOptions options) throws IOException {
        String nodeChannel = System.getenv(NodeChannel.FD_VARIABLE);
        if (nodeChannel != null) {
            return fromNodeParent(nodeChannel, options);
        }
        return connectToParent(options);
    }

    /**
     * The channel of a Node parent: {@code child_process.spawn} made a socketpair and left our end
     * open across exec, at the number in {@code NODE_CHANNEL_FD} (Node's {@code process.channel}). Its
     * wire format is ours: Node's JSON lines and handle protocol.
     */
    private static Channel fromNodeParent(String fdVariable, ChannelOptions options) throws IOException {
        int fd = NodeChannel.inheritedDescriptor(fdVariable);
        Channel channel = wrap(EventLoop.main(), fd, () -> Libc.close(fd), options,
                "child end of Node's channel (pid " + ProcessHandle.current().pid() + ", fd " + fd + ")");
        channel.nodePeer = true;
        return channel;
    }

    /** A Java parent's channel: connect to the socket it named in {@link #ENVIRONMENT_VARIABLE}. */
    private static Channel connectToParent(ChannelOptions options) throws IOException {
        String path = System.getenv(ENVIRONMENT_VARIABLE);
        if (path == null || path.isBlank()) {
            throw new IllegalStateException(ENVIRONMENT_VARIABLE + " is not set: this process was not started with a channel. "
                    + "Start it from the parent with Channel.fork(ChildJvm.main(...), deadline), which creates the socket "
                    + "and passes its path in " + ENVIRONMENT_VARIABLE);
        }
        AFUNIXSocketChannel connection = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(Path.of(path)));
        return wrap(EventLoop.main(), connection, options, "child end of the channel (pid " + ProcessHandle.current().pid() + ")");
    }

    /**
     * As {@link #onMessage}, for a listener that never takes a handle ({@link Rpc}): it sees every
     * message, but does not count as the owner a received descriptor needs, so a channel with
     * only observers acks a handle and closes it instead of leaking it.
     */
    void observe(Consumer<Message> observer) {
        observers.add(observer);
    }

    /** Calls {@code listener} on the loop thread for every message, in the order they were sent. */
    public Channel onMessage(Consumer<Message> listener) {
        messageListeners.add(listener);
        return this;
    }

    /** Calls {@code listener} on the loop thread once, when the channel has closed (either side, any reason). */
    public Channel onDisconnect(Runnable listener) {
        disconnectListeners.add(listener);
        return this;
    }

    /** Calls {@code listener} when the peer broke the rules ({@link ProtocolException}); the channel closes after it. */
    public Channel onError(Consumer<IOException> listener) {
        errorListeners.add(listener);
        return this;
    }

    /** Starts watching the socket: from now on the loop reads it, and writes what {@link #send} queued. */
    public Channel start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("start: " + name + " was started already");
        }
        onLoop(() -> {
            watch = loop.watch(fd, EventLoop.READABLE, this::onReady);
            flush(); // what was sent before start
        });
        return this;
    }

    /** The loop this channel runs on: where its listeners are called. */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Queues {@code body} for the peer and, on the loop, writes it at once if nothing waits before
     * it (as {@code uv_write2} does). Never blocks.
     *
     * @return false when more than the high-water mark of bytes is queued and not yet written (the
     *         peer is not keeping up): the message is queued all the same, but stop sending for a while
     * @throws ChannelClosedException when the channel is closed or disconnecting
     */
    public boolean send(JsonNode body) throws IOException {
        checkOpen("send");
        Out out = new Out(Envelope.message(body).toLine(), null);
        long queued = queuedBytes.addAndGet(out.line.length);
        try {
            onLoop(() -> enqueue(out));
        } catch (ChannelClosedException e) {
            queuedBytes.addAndGet(-out.line.length); // the loop refused it: it will never be written
            throw e;
        }
        return queued <= options.highWaterMark();
    }

    /**
     * Sends {@code body} with {@code handle} attached. The channel keeps a duplicate of the
     * descriptor until the peer acknowledges the message, so you may close yours at once. Until then
     * every later message waits (Node's hold-back); a nack makes it send the handle again.
     *
     * @return completes when the peer acknowledged (Node calls back once per write instead); fails
     *         with {@link HandleNotDeliveredException} when every transmission was nacked, or
     *         {@link ChannelClosedException} when the channel closed first
     * @throws IllegalArgumentException on a channel to a Node parent, for a descriptor Node cannot
     *         take ({@link Descriptors#nodeCanTake}): a file would abort the Node process
     */
    public CompletableFuture<Void> send(JsonNode body, FileDescriptor handle) throws IOException {
        checkOpen("send");
        if (nodePeer && !Descriptors.nodeCanTake(handle)) {
            throw new IllegalArgumentException("send: " + name + " leads to Node, which takes pipes, stream sockets and UDP "
                    + "sockets only; fd " + Descriptors.number(handle) + " is none of them: a file, a device or a terminal "
                    + "would abort the Node process, another socket would be nacked and block every later handle of Node's channel");
        }
        PendingHandle pending = new PendingHandle(Envelope.handle(body, Descriptors.nodeType(handle)).toLine(), Descriptors.dup(handle));
        queuedBytes.addAndGet(pending.line.length);
        Runnable giveBack = () -> {
            queuedBytes.addAndGet(-pending.line.length);
            pending.settle(new ChannelClosedException(name + ": its event loop " + loop.name() + " closed before the handle was sent"));
        };
        try {
            onLoop(() -> sendHandle(pending), giveBack); // a loop closed first must not keep our dup open for ever
        } catch (ChannelClosedException e) {
            giveBack.run();
        }
        return pending.acknowledged;
    }

    /** Bytes queued for the peer and not yet written to the socket, held-back messages included. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** True until the channel has closed or begun to disconnect. */
    public boolean isConnected() {
        return !closed && !disconnectRequested;
    }

    /** Completes when the channel has closed, for any reason. */
    public CompletableFuture<Void> whenClosed() {
        return whenClosed;
    }

    /**
     * Disconnects gracefully: everything queued before, and a handle awaiting its ack, still go out;
     * then our side of the socket is shut down (the peer reads EOF and closes its end), and the
     * channel closes when the peer's EOF reaches us. Returns at once; the future completes when closed.
     */
    public CompletableFuture<Void> disconnect() {
        if (!closed && !disconnectRequested) {
            disconnectRequested = true;
            try {
                onLoop(() -> {
                    halfCloseWanted = true; // here, not above: sends queued before this task are not written yet
                    flush();
                });
            } catch (ChannelClosedException e) {
                // The loop is gone: so is the channel.
            }
        }
        return whenClosed;
    }

    /**
     * Closes now: queued messages are dropped, a pending handle send fails. From another thread it
     * returns once the loop has closed the channel; from a callback, at once.
     */
    @Override
    public void close() {
        if (closed) {
            return; // and its loop may be closed too by now: nothing to hop onto
        }
        if (loop.isClosed() && !loop.inLoop()) {
            // Nobody runs the loop's tasks any more, and its thread has ended (EventLoop.close waits
            // for it): the socket and the descriptors we hold are ours to close, here.
            shutDown(null, false);
            return;
        }
        try {
            onLoop(() -> shutDown(null, false));
            if (!loop.inLoop()) {
                whenClosed.get(CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            System.err.println(name + ": close did not finish on " + loop.name() + ": " + e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- on the loop ------------------------------------------------------------------------

    /** Runs {@code task} on the loop: now when called there, else in its next turn (one wake-up). */
    void onLoop(IoTask task) throws ChannelClosedException {
        onLoop(task, () -> { });
    }

    /** {@link #onLoop(IoTask)}, with what to do instead if the loop is closed before the task runs ({@link EventLoop#execute(Runnable, Runnable)}). */
    void onLoop(IoTask task, Runnable ifDropped) throws ChannelClosedException {
        if (loop.inLoop()) {
            guarded(task);
            return;
        }
        try {
            loop.execute(() -> guarded(task), ifDropped);
        } catch (RejectedExecutionException e) {
            throw new ChannelClosedException(name + ": its event loop " + loop.name() + " is closed");
        }
    }

    /** Work for the loop that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface IoTask {
        void run() throws IOException;
    }

    /** Runs loop work; a failure ends the channel, and the loop goes on. */
    private void guarded(IoTask task) {
        try {
            task.run();
        } catch (ProtocolException e) {
            shutDown(e, false);
        } catch (IOException e) {
            // The peer went away under a read or write (ECONNRESET, EPIPE): the same end as its EOF.
            shutDown(null, !disconnectRequested);
        }
    }

    /** The watch's callback: the socket has room, or data, or the peer is gone. */
    private void onReady(Watch ready, int events) {
        guarded(() -> {
            if ((events & EventLoop.WRITABLE) != 0) {
                flush();
            }
            if (!closed && (events & ~EventLoop.WRITABLE) != 0) {
                onReadable();
            }
        });
    }

    /** Adds a line behind the others, or behind the handle awaiting its ack (Node: pushed onto {@code _handleQueue}). */
    private void enqueue(Out out) throws IOException {
        if (closed || outputShut) {
            queuedBytes.addAndGet(-out.line.length); // raced with close or the half-close: nobody will write it
            return;
        }
        if (heldBack != null) {
            heldBack.add(out);
            return;
        }
        writeQueue.add(out);
        flush();
    }

    /**
     * An ack or a nack: never held back, or two peers each awaiting an ack would wait for ever. After
     * our half-close it cannot go out, and that is no reason to end a channel still reading: dropped
     * (Node: failing to ack "shouldn't be fatal", {@code child_process.js} 698–702).
     */
    private void control(Envelope envelope) throws IOException {
        if (outputShut) {
            return;
        }
        byte[] line = envelope.toLine();
        queuedBytes.addAndGet(line.length);
        writeQueue.add(new Out(line, null));
        flush();
    }

    /**
     * Writes from the head of the queue until it is empty or the socket is full. Watches WRITABLE
     * only while something is left; once the queue is empty and a disconnect was asked for (and no
     * handle awaits its ack, nothing is held back: Node's {@code !_handleQueue}, 685), half-closes.
     */
    private void flush() throws IOException {
        if (watch == null || closed) {
            return; // not started: start() flushes
        }
        while (!writeQueue.isEmpty()) {
            Out head = writeQueue.peek();
            // The descriptor rides on the first byte of its line, and only there (libuv: stream.c 866–868).
            int attach = head.handle != null && head.written == 0 ? Descriptors.number(head.handle.dup) : -1;
            int sent = Sockets.sendmsg(fd, writeBuffer, gather(attach < 0), attach);
            if (sent < 0) {
                watch.interest(EventLoop.READABLE | EventLoop.WRITABLE); // full: wake us when there is room
                return;
            }
            consume(sent);
        }
        watch.interest(EventLoop.READABLE); // level-triggered: WRITABLE left on would wake us every turn
        if (halfCloseWanted && awaiting == null && heldBack == null && !outputShut) {
            outputShut = true;
            Sockets.shutdownOutput(fd); // the peer reads EOF after our last line
        }
    }

    /** Copies the queue's head into the write buffer, and while {@code more}, the lines after it: one send for many. */
    private int gather(boolean more) {
        int length = 0;
        for (Out out : writeQueue) {
            if (length > 0 && (!more || out.handle != null)) {
                break; // a handle line starts a sendmsg of its own
            }
            int count = Math.min(out.line.length - out.written, BUFFER_BYTES - length);
            MemorySegment.copy(out.line, out.written, writeBuffer, ValueLayout.JAVA_BYTE, length, count);
            length += count;
            if (length == BUFFER_BYTES) {
                break;
            }
        }
        return length;
    }

    /** {@code sent} bytes from the head of the queue have left: drop the lines they finish. */
    private void consume(int sent) {
        queuedBytes.addAndGet(-sent);
        while (sent > 0) {
            Out head = writeQueue.peek();
            int taken = Math.min(sent, head.line.length - head.written);
            if (head.handle != null) {
                head.handle.sent = true; // the descriptor went with this line's first byte
            }
            head.written += taken;
            sent -= taken;
            if (head.written == head.line.length) {
                writeQueue.poll();
            }
        }
    }

    /** Sends a handle line and closes the gate behind it, or waits behind the one in flight. */
    private void sendHandle(PendingHandle pending) throws IOException {
        if (closed) {
            queuedBytes.addAndGet(-pending.line.length);
            pending.settle(new ChannelClosedException("send: " + name + " closed before the handle went out"));
            return;
        }
        if (heldBack != null) {
            heldBack.add(new Out(pending.line, pending));
            return;
        }
        awaiting = pending;
        heldBack = new ArrayDeque<>(); // Node: _handleQueue = [] after the handle's write (child_process.js 853–860)
        writeQueue.add(new Out(pending.line, pending));
        flush();
    }

    /**
     * The peer has the descriptor: let the held-back messages go, then release ours and complete the
     * send. In that order: what is chained on the future runs right here, and may send, disconnect or
     * close; it must find the gate open and the held messages queued ahead of it.
     */
    private void onAck() throws IOException {
        PendingHandle done = takeAwaiting("ack");
        releaseHeldBack();
        done.settle(null);
    }

    /** The line arrived without its descriptor: send it again, or give up after the last retransmission. */
    private void onNack() throws IOException {
        PendingHandle pending = takeAwaiting("nack");
        if (pending.retransmissions++ == options.maxHandleRetransmissions()) {
            releaseHeldBack(); // before the future fails, as in onAck
            pending.settle(new HandleNotDeliveredException(pending.retransmissions));
            return;
        }
        awaiting = pending; // the same line and the same dup again (Node re-wraps it, child_process.js 672–677)
        pending.sent = false;
        queuedBytes.addAndGet(pending.line.length); // consume subtracts every transmission
        writeQueue.add(new Out(pending.line, pending));
        flush();
    }

    private PendingHandle takeAwaiting(String kind) throws ProtocolException {
        if (awaiting == null) {
            throw new ProtocolException("the peer sent an " + kind + ", but no handle message awaits one");
        }
        if (!awaiting.sent) {
            // Our dup is still to be attached: closing it now would send a closed (or reused) number.
            throw new ProtocolException("the peer sent an " + kind + " before the handle line went out");
        }
        PendingHandle pending = awaiting;
        awaiting = null;
        return pending;
    }

    /** Opens the gate and sends what waited, in order; a handle among them closes it again. */
    private void releaseHeldBack() throws IOException {
        ArrayDeque<Out> held = heldBack;
        if (held == null) {
            return; // closed meanwhile: shutDown has failed what was held
        }
        heldBack = null;
        for (Out out : held) {
            if (out.handle != null) {
                sendHandle(out.handle);
            } else if (heldBack != null) {
                heldBack.add(out);
            } else {
                writeQueue.add(out);
            }
        }
        flush();
    }

    /**
     * The socket is readable: up to {@link #READS_PER_WAKEUP} recvmsg calls, each followed by
     * splitting and dispatching the lines it completed. Level-triggered: what is left wakes us again.
     */
    private void onReadable() throws IOException {
        for (int reads = 0; reads < READS_PER_WAKEUP && !closed; reads++) {
            int count = Sockets.recvmsg(fd, readBuffer, BUFFER_BYTES, received);
            if (count < 0) {
                return; // EAGAIN: all read
            }
            takeDescriptors();
            if (count == 0) {
                shutDown(null, !disconnectRequested); // the peer's EOF
                return;
            }
            MemorySegment.copy(readBuffer, ValueLayout.JAVA_BYTE, 0, readBytes, 0, count);
            for (byte[] line : splitter.feed(readBytes, 0, count)) {
                dispatch(Envelope.parse(line));
                if (closed) {
                    return; // a listener closed the channel
                }
            }
            // A descriptor rides on the first byte of its line. If every line read so far is
            // complete and a descriptor is still unclaimed, no handle line announced it.
            if (arrived >= 0 && !splitter.hasPartialLine()) {
                throw new ProtocolException("unexpected descriptor: fd " + arrived + " arrived with a line that is not a \"handle\" line; closed it");
            }
        }
    }

    /** Moves what recvmsg brought into the one slot; anything more is a peer that broke the rules. */
    private void takeDescriptors() throws ProtocolException {
        int count = received.descriptorCount();
        if (count == 1 && arrived < 0 && !received.truncated()) {
            arrived = received.descriptor(0);
            return;
        }
        for (int i = 0; i < count; i++) {
            Descriptors.closeQuietly(received.descriptor(i)); // truncated: its handle line gets a nack
        }
        if (count > 1 || (count == 1 && !received.truncated())) {
            throw new ProtocolException("two descriptors in flight: a handle line must wait for the ack of the one before");
        }
    }

    /** One parsed line: a message for the listeners, a handle (ack or nack it), an ack or nack for us, or Node's internal business. */
    private void dispatch(Envelope envelope) throws IOException {
        switch (envelope.kind()) {
            case Envelope.MESSAGE -> deliver(new Message(envelope.body(), Optional.empty()));
            case Envelope.HANDLE -> {
                if (arrived < 0) {
                    control(Envelope.nack()); // the line without its descriptor: not delivered (child_process.js 696–697)
                    return;
                }
                FileDescriptor handle = Descriptors.of(arrived);
                arrived = -1;
                boolean delivered = false;
                try {
                    control(Envelope.ack()); // before the listeners, as Node (703)
                    // An internal msg with a descriptor is Node's own business (714): acked, then closed here.
                    if (!messageListeners.isEmpty() && !Envelope.isInternal(envelope.body())) {
                        deliver(new Message(envelope.body(), Optional.of(handle)));
                        delivered = true; // the listeners own it now
                    }
                } finally {
                    if (!delivered) {
                        Descriptors.closeQuietly(handle); // nobody listens, it was internal, or the ack failed: out of the slot, so ours to close
                    }
                }
            }
            case Envelope.ACK -> onAck();
            case Envelope.NACK -> onNack();
            default -> { } // another of Node's internal messages (NODE_SOCKET_*, NODE_CLUSTER): Node's own, not the listeners'
        }
    }

    private void deliver(Message message) {
        for (Consumer<Message> listener : messageListeners) {
            runGuarded(() -> listener.accept(message), "a message listener");
        }
        for (Consumer<Message> observer : observers) {
            runGuarded(() -> observer.accept(message), "an observer (Rpc)");
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * The one way the channel ends, whoever calls first, on the loop: report the error, close the
     * socket and every descriptor we still hold, fail what waits, then {@link #finish}: the listeners, once.
     */
    private void shutDown(IOException error, boolean unexpectedEof) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (error != null) {
                for (Consumer<IOException> listener : errorListeners) {
                    runGuarded(() -> listener.accept(error), "an error listener");
                }
            }
            if (watch != null) {
                watch.cancel(); // before the close: epoll watches the open file, not the number
            }
            closeQuietly(socket);
            if (arrived >= 0) {
                Descriptors.closeQuietly(arrived);
                arrived = -1;
            }
            ChannelClosedException gone = new ChannelClosedException(name + " closed before the peer acknowledged the handle");
            if (awaiting != null) {
                awaiting.settle(gone);
                awaiting = null;
            }
            long dropped = 0;
            if (heldBack != null) {
                for (Out out : heldBack) {
                    dropped += out.line.length;
                    if (out.handle != null) {
                        out.handle.settle(gone);
                    }
                }
                heldBack = null;
            }
            for (Out out : writeQueue) {
                dropped += out.line.length - out.written;
            }
            writeQueue.clear();
            // Not set(0): a send on another thread may have counted its bytes and not yet reached
            // enqueue, which un-counts them itself once it sees the channel closed.
            queuedBytes.addAndGet(-dropped);
        } finally {
            finish(unexpectedEof);
        }
    }

    /**
     * The end of {@link #shutDown}, whatever happened before: the disconnect listeners, each
     * guarded; on an unexpected EOF with {@link ChannelOptions#exitOnUnexpectedEof()}, the exit;
     * then {@link #whenClosed}.
     */
    private void finish(boolean unexpectedEof) {
        try {
            for (Runnable listener : disconnectListeners) {
                runGuarded(listener, "a disconnect listener");
            }
            if (unexpectedEof && options.exitOnUnexpectedEof()) {
                // Before whenClosed completes: a main thread waiting on it would otherwise end the JVM with status 0.
                System.err.println(name + ": the parent's end of the channel closed; exiting with status " + CHANNEL_CLOSED_EXIT);
                System.exit(CHANNEL_CLOSED_EXIT);
            }
        } finally {
            whenClosed.complete(null);
        }
    }

    /**
     * Runs a listener; one that throws must not stop the channel, nor the other listeners. What it
     * threw is printed and kept with the loop's own callback failures, where a test that waits in
     * vain for what the listener should have done looks.
     */
    private void runGuarded(Runnable listener, String what) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            System.err.println(name + ": " + what + " threw " + e);
            CallbackFailures.record(loop.name(), what + " of " + name, e);
        }
    }

    private void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            System.err.println(name + ": closing the socket failed: " + e.getMessage());
        }
    }

    private void checkOpen(String call) throws ChannelClosedException {
        if (closed || disconnectRequested) {
            throw new ChannelClosedException(call + ": " + name + " is " + (closed ? "closed" : "disconnecting"));
        }
    }
}
