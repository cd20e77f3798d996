package ipclab.lab11;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's connection to the control socket, on the daemon's loop: a {@code SOCK_SEQPACKET}
 * socket, so one {@code recvmsg} is one request, whole, and one {@code sendmsg} one reply. What
 * this class adds is the outbox. A reply the socket cannot take now ({@code EAGAIN}: the client is
 * slow to read) waits in the outbox, and the watch asks for WRITABLE until the outbox is empty;
 * a client that lets more than {@link #OUTBOX_CAP} bytes pile up is closed, so that no client can
 * make the daemon hold its replies for ever. A Node stream queues without a cap: {@code write()}
 * returning false past its {@code highWaterMark} is only advice to the writer.
 *
 * <p>Used on the loop thread only. Given code.
 */
public final class ControlConnection implements AutoCloseable {

    /** The largest request or reply: one datagram, each way (a longer request is cut by the kernel, MSG_TRUNC). */
    public static final int MAX_DATAGRAM_BYTES = 65_536;
    /** How many reply bytes may wait for a client that does not read, before it is closed. */
    public static final int OUTBOX_CAP = 1 << 20;
    /** Requests read per wake-up at most, so that one busy client cannot starve the others (libuv reads 32 per turn). */
    private static final int READS_PER_WAKEUP = 16;
    /** How long a refused client has to read its refusal before the connection is closed for good. */
    static final Duration REFUSAL_LINGER = Duration.ofSeconds(2);

    /** What the connection does with each request. */
    @FunctionalInterface
    public interface Receiver {
        /**
         * One datagram, in order.
         *
         * @param data      its bytes (at most {@link #MAX_DATAGRAM_BYTES})
         * @param truncated true when the client sent more than that: the kernel dropped the rest
         *                  (MSG_TRUNC), and the next datagram is the next request, so nothing is out of step
         * @throws Exception reported; the connection is closed, the daemon goes on
         */
        void datagram(ControlConnection connection, byte[] data, boolean truncated) throws Exception;
    }

    private final EventLoop loop;
    private final int fd;
    private final Sockets.PeerCredentials peer;
    /** Freed by close(), on the loop thread that made it. */
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(MAX_DATAGRAM_BYTES);
    private final Received received = new Received(0);
    private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
    private final List<Runnable> closeListeners = new ArrayList<>();
    private int outboxBytes;
    private Watch watch;
    private Receiver receiver;
    private boolean closed;

    /**
     * @param fd   an accepted, non-blocking socket; the connection owns it from now on
     * @param peer who connected, as the kernel recorded it (SO_PEERCRED)
     */
    public ControlConnection(EventLoop loop, int fd, Sockets.PeerCredentials peer) {
        this.loop = loop;
        this.fd = fd;
        this.peer = peer;
    }

    /**
     * Starts reading: each datagram goes to {@code receiver}. Until then the connection only sends
     * (a refusal before closing, say).
     */
    public void start(Receiver receiver) throws ErrnoException {
        this.receiver = receiver;
        watch = loop.watch(fd, EventLoop.READABLE | (outbox.isEmpty() ? 0 : EventLoop.WRITABLE), this::ready);
    }

    /** Runs {@code listener} once when the connection closes, whoever closes it (at once if it is closed). */
    public void onClose(Runnable listener) {
        if (closed) {
            listener.run();
        } else {
            closeListeners.add(listener);
        }
    }

    /**
     * Sends one datagram now, or queues it behind those waiting. Never throws: a client that has gone
     * (EPIPE, ECONNRESET) or lets the outbox grow over {@link #OUTBOX_CAP} is closed instead, and
     * what is sent to a closed connection is dropped.
     */
    public void send(byte[] datagram) {
        if (closed) {
            return;
        }
        if (outbox.isEmpty() && trySend(datagram)) {
            return;
        }
        if (closed) {
            return;
        }
        if (outboxBytes + datagram.length > OUTBOX_CAP) {
            System.err.println("control connection fd " + fd + " (pid " + peer.pid() + "): its client has left "
                    + (outboxBytes + datagram.length) + " bytes of replies unread, over the cap of " + OUTBOX_CAP + "; closing it");
            close();
            return;
        }
        outbox.add(datagram);
        outboxBytes += datagram.length;
        wantWritable(true);
    }

    /**
     * Sends a last datagram (a refusal) and ends the connection so that the client is sure to read
     * it. Closing at once is not enough: a socket closed while a request of the client's waits unread
     * in it makes the kernel reset the connection, and the client's next recv reports ECONNRESET
     * instead of the datagram that was waiting for it. So the connection shuts its output down (the
     * client reads the datagram, then end of stream), drops what the client still sends, and closes
     * when the client does, or after {@link #REFUSAL_LINGER}.
     */
    public void refuse(byte[] lastDatagram) {
        send(lastDatagram);
        if (closed) {
            return;
        }
        try {
            if (!outbox.isEmpty()) {
                close(); // not a fresh connection: its client has stopped reading anyway
                return;
            }
            Sockets.shutdownOutput(fd);
            receiver = (connection, data, truncated) -> { };
            if (watch == null) {
                watch = loop.watch(fd, EventLoop.READABLE, this::ready);
            }
            loop.schedule(REFUSAL_LINGER, this::close);
        } catch (ErrnoException e) {
            close();
        }
    }

    /** Who connected: pid, uid and gid, as the kernel recorded them at connect. */
    public Sockets.PeerCredentials peer() {
        return peer;
    }

    /** Reply bytes waiting for the client to read. */
    public int outboxBytes() {
        return outboxBytes;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Stops watching, closes the socket (the client reads end of stream after what was sent), and tells the listeners. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null && watch.isActive()) {
            watch.cancel(); // before close(2): see Watch.cancel
        }
        Libc.closeQuietly(fd, "control connection");
        outbox.clear();
        outboxBytes = 0;
        arena.close();
        for (Runnable listener : closeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                loop.report("a close listener of control connection fd " + fd, e, "the other listeners still run");
            }
        }
        closeListeners.clear();
    }

    @Override
    public String toString() {
        return "ControlConnection[fd " + fd + ", pid " + peer.pid() + ", uid " + peer.uid() + (closed ? ", closed" : "") + "]";
    }

    private void ready(Watch w, int events) {
        if ((events & EventLoop.WRITABLE) != 0) {
            flush();
        }
        if ((events & (EventLoop.READABLE | EventLoop.HANGUP | EventLoop.ERROR)) != 0) {
            read();
        }
    }

    private void read() {
        for (int i = 0; i < READS_PER_WAKEUP && !closed; i++) {
            int bytes;
            try {
                bytes = Sockets.recvmsg(fd, buffer, buffer.byteSize(), received);
            } catch (ErrnoException e) {
                System.err.println("control connection fd " + fd + ": " + e.getMessage() + "; closing it");
                close(); // ECONNRESET: the client died with replies unread
                return;
            }
            if (bytes < 0) {
                return; // EAGAIN: nothing more for now
            }
            if (bytes == 0 && !received.dataTruncated()) {
                close(); // end of stream: the client closed its end
                return;
            }
            byte[] data = buffer.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
            try {
                receiver.datagram(this, data, received.dataTruncated());
            } catch (Exception e) {
                loop.report("the receiver of control connection fd " + fd, e, "that connection is closed; the daemon goes on");
                close();
            }
        }
    }

    private void flush() {
        byte[] next;
        while ((next = outbox.peek()) != null) {
            if (!trySend(next)) {
                return; // full again, or closed
            }
            outbox.poll();
            outboxBytes -= next.length;
        }
        wantWritable(false);
    }

    /** One sendmsg: true when the datagram went; false when the socket is full (EAGAIN) or the connection was closed by a failure. */
    private boolean trySend(byte[] datagram) {
        MemorySegment.copy(datagram, 0, buffer, ValueLayout.JAVA_BYTE, 0, datagram.length);
        try {
            return Sockets.send(fd, buffer, datagram.length) >= 0; // a seqpacket datagram goes whole or not at all
        } catch (ErrnoException e) {
            System.err.println("control connection fd " + fd + ": " + e.getMessage() + "; closing it");
            close();
            return false;
        }
    }

    private void wantWritable(boolean on) {
        if (watch == null || !watch.isActive()) {
            return; // not started yet: start() asks for WRITABLE if the outbox is not empty
        }
        try {
            watch.interest(EventLoop.READABLE | (on ? EventLoop.WRITABLE : 0));
        } catch (ErrnoException e) {
            System.err.println("control connection fd " + fd + ": " + e.getMessage() + "; closing it");
            close();
        }
    }
}
