package ipclab.lab05;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upper-casing echo server that serves every client from <em>one</em> thread: a selector
 * (epoll(7) underneath) says which sockets are ready, and the loop does only what will not block.
 * Node.js is built the same way: one event loop over non-blocking descriptors.
 *
 * <p>Backpressure: each connection has an output buffer of at most {@code outputCap} bytes. When a
 * client does not read its replies, the buffer fills and the server stops reading from that client
 * (it drops {@code OP_READ} from the key's interest set) until the buffer has drained. The client's
 * own writes then fill the socket buffers in the kernel and block: the slow reader slows itself
 * down, and the server's memory stays bounded.
 */
public final class EventLoopServer implements AutoCloseable {

    /** The default cap on a connection's unsent replies. */
    public static final int DEFAULT_OUTPUT_CAP = 64 * 1024;

    private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

    private final ServerSocketChannel listener;
    private final int outputCap;
    private final Selector selector;
    private final Thread loop;
    private volatile boolean stopping;
    private volatile Throwable failure;

    // What the server is doing, kept by the given bookkeeping methods below, readable from any thread.
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicInteger pausedConnections = new AtomicInteger();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong peakBufferedBytes = new AtomicLong();
    private final Set<String> servingThreads = ConcurrentHashMap.newKeySet();

    /** One client: its channel and the replies not sent yet. */
    static final class Connection {
        final SocketChannel channel;
        /** Replies waiting to be written, in write mode: bytes [0, position) are buffered. */
        final ByteBuffer output;
        /** {@code true} while OP_READ is off because {@link #output} is full. */
        boolean readingPaused;
        /** {@code true} once the client has shut down its sending side (read returned -1). */
        boolean inputEnded;

        Connection(SocketChannel channel, int outputCap) {
            this.channel = channel;
            this.output = ByteBuffer.allocate(outputCap);
        }
    }

    private EventLoopServer(ServerSocketChannel listener, int outputCap, Selector selector) {
        this.listener = listener;
        this.outputCap = outputCap;
        this.selector = selector;
        this.loop = Thread.ofPlatform().name("event-loop").unstarted(this::run);
    }

    /**
     * Serves clients of {@code listener} (bound already, Unix or TCP) on a new thread, until
     * {@link #close()}. The server owns the listener from now on and closes it.
     */
    public static EventLoopServer start(ServerSocketChannel listener, int outputCap) throws IOException {
        if (outputCap <= 0) {
            throw new IllegalArgumentException("outputCap must be positive, not " + outputCap);
        }
        Selector selector = Selector.open();
        try {
            listener.configureBlocking(false); // a selector only takes non-blocking channels
            listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        EventLoopServer server = new EventLoopServer(listener, outputCap, selector);
        server.loop.start();
        return server;
    }

    /** The event loop: wait for readiness, handle every ready key, repeat until close(). */
    private void run() {
        try {
            while (!stopping) {
                selector.select();
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove(); // the selector never removes it: left in, it would look ready again
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            acceptAll();
                            continue;
                        }
                        if (key.isReadable()) {
                            onReadable(key);
                        }
                        if (key.isValid() && key.isWritable()) {
                            onWritable(key);
                        }
                    } catch (IOException e) {
                        // One client's trouble (say ECONNRESET) ends that connection, never the server.
                        closeConnection(key);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            closeEverything();
        }
    }

    /** Accepts every pending connection: a non-blocking accept returns null when none is left. */
    private void acceptAll() throws IOException {
        SocketChannel client;
        while ((client = listener.accept()) != null) {
            client.configureBlocking(false);
            Connection connection = new Connection(client, outputCap);
            client.register(selector, SelectionKey.OP_READ, connection);
            opened();
        }
    }

    /** Reads what fits into the output buffer, upper-cases it there, and asks to be told when it can be written. */
    private void onReadable(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        int start = c.output.position();
        // Read at most what the buffer has room for: the cap bounds what one client can make us hold.
        int n = c.channel.read(c.output);
        if (n < 0) {
            c.inputEnded = true;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            if (c.output.position() == 0) {
                closeConnection(key); // nothing left to send either
            }
            return;
        }
        upperCase(c.output, start, start + n);
        buffered(c, n);
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        if (!c.output.hasRemaining()) {
            // Full: stop reading from this client until it has taken some of its replies.
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            paused(c, true);
        }
    }

    /** Writes what the socket takes; stops asking for OP_WRITE when empty; resumes reading once half empty. */
    private void onWritable(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        c.output.flip();
        int n = c.channel.write(c.output);
        c.output.compact();
        buffered(c, -n);
        if (c.output.position() == 0) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            if (c.inputEnded) {
                closeConnection(key);
                return;
            }
        }
        // Resume only with room for a good read: resuming at 1 free byte would read 1 byte at a time.
        if (c.readingPaused && c.output.position() <= outputCap / 2) {
            key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            paused(c, false);
        }
    }

    /** Stops the loop, closes every connection and the listener, and waits for the thread to end. */
    @Override
    public void close() {
        stopping = true;
        selector.wakeup(); // select() returns at once, sees stopping, and the loop ends and cleans up
        try {
            if (!loop.join(STOP_DEADLINE)) {
                throw new IllegalStateException("the event loop did not stop within " + STOP_DEADLINE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- given: bookkeeping and helpers ---------------------------------------------------------

    /** Upper-cases ASCII letters in {@code buffer[from, to)}, in place. */
    static void upperCase(ByteBuffer buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buffer.get(i);
            if (b >= 'a' && b <= 'z') {
                buffer.put(i, (byte) (b - 'a' + 'A'));
            }
        }
    }

    /** Call when a connection has been accepted and registered. */
    private void opened() {
        servingThreads.add(Thread.currentThread().getName());
        connections.incrementAndGet();
        accepted.incrementAndGet();
    }

    /** Call when {@code delta} bytes were added to (positive) or written from (negative) a connection's output. */
    private void buffered(Connection c, int delta) {
        servingThreads.add(Thread.currentThread().getName());
        bufferedBytes.addAndGet(delta);
        peakBufferedBytes.accumulateAndGet(c.output.position(), Math::max);
    }

    /** Call when reading from a connection is paused (its output is full) or resumed. */
    private void paused(Connection c, boolean nowPaused) {
        if (c.readingPaused != nowPaused) {
            c.readingPaused = nowPaused;
            pausedConnections.addAndGet(nowPaused ? 1 : -1);
        }
    }

    /** Closes one connection, and forgets its bookkeeping. */
    private void closeConnection(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // Closing can only fail once the descriptor is released; nothing more to do.
        }
        paused(c, false);
        bufferedBytes.addAndGet(-c.output.position());
        c.output.clear();
        connections.decrementAndGet();
    }

    private void closeEverything() {
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof Connection) {
                    closeConnection(key);
                }
            }
        } catch (ClosedSelectorException alreadyClosed) {
            // Closed before: the connections went with it.
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }

    /** Connections open now. */
    public int connections() {
        return connections.get();
    }

    /** Connections accepted since the start. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections whose reading is paused now because their output buffer is full. */
    public int pausedConnections() {
        return pausedConnections.get();
    }

    /** Reply bytes held in output buffers now, over all connections. */
    public long bufferedBytes() {
        return bufferedBytes.get();
    }

    /** The most reply bytes one connection has ever held at once: never above the cap. */
    public long peakBufferedBytes() {
        return peakBufferedBytes.get();
    }

    /** The cap on one connection's output buffer. */
    public int outputCap() {
        return outputCap;
    }

    /** The names of the threads that have served connections: one, for an event loop. */
    public Set<String> servingThreads() {
        return Set.copyOf(servingThreads);
    }

    /** What stopped the loop, if it was not close(); {@code null} otherwise. */
    public Throwable failure() {
        return failure;
    }
}
