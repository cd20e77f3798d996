package ipclab.lab10;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The master's side of round-robin scheduling, after Node's {@code RoundRobinHandle}: accepted
 * sockets wait in a queue, free workers wait in a free list, and a worker gets its next socket
 * only after it has acknowledged the last one. Until that acknowledgement the master keeps its own
 * copy of the socket, so a worker that dies with a socket in flight costs the client nothing: the
 * socket goes to another worker.
 *
 * <p>Thread-safe: the accept thread calls {@link #distribute}, each worker's channel reader calls
 * {@link #ack}, the exit watcher calls {@link #remove}.
 */
final class RoundRobinHandle {

    /** Sends one socket to one worker: a {@code newconn} message with the socket attached. */
    @FunctionalInterface
    interface Handoff {
        void send(WorkerHandle worker, long seq, SocketChannel socket) throws IOException;
    }

    /** A socket handed to a worker and not yet acknowledged. */
    record InFlight(long seq, SocketChannel socket) {
    }

    private final Handoff handoff;
    private final Set<WorkerHandle> all = new LinkedHashSet<>();
    private final Deque<WorkerHandle> free = new ArrayDeque<>();
    private final Deque<SocketChannel> queue = new ArrayDeque<>();
    private final Map<WorkerHandle, InFlight> inFlight = new HashMap<>();
    private long nextSeq = 1;
    private boolean abandoned;

    RoundRobinHandle(Handoff handoff) {
        this.handoff = handoff;
    }

    /** A worker is ready for connections: it joins the free list and gets a queued socket if one waits. */
    synchronized void add(WorkerHandle worker) {
        abandoned = false;
        all.add(worker);
        handoffTo(worker);
    }

    /** A newly accepted socket: to the first free worker, or into the queue until one is free. */
    synchronized void distribute(SocketChannel socket) {
        if (abandoned) {
            // No worker left and none coming: waiting would hang the client for ever.
            closeQuietly(socket);
            return;
        }
        queue.add(socket);
        WorkerHandle worker = free.poll();
        if (worker != null) {
            handoffTo(worker);
        }
    }

    /**
     * The worker's answer to {@code newconn seq}. Accepted: the master closes its copy and the worker
     * gets the next socket. Refused (the worker is closing): the socket goes to another worker and
     * the refusing one gets no more.
     */
    synchronized void ack(WorkerHandle worker, long seq, boolean accepted) {
        InFlight sent = inFlight.get(worker);
        if (sent == null || sent.seq() != seq) {
            return; // not the socket we are waiting on (a confused or replaced worker): ignore
        }
        inFlight.remove(worker);
        if (accepted) {
            closeQuietly(sent.socket());
            handoffTo(worker);
        } else {
            retire(worker);
            queue.addFirst(sent.socket());
            WorkerHandle other = free.poll();
            if (other != null) {
                handoffTo(other);
            }
        }
    }

    /**
     * The worker leaves on purpose (graceful disconnect): no more sockets for it. A socket in flight
     * stays in flight: its acknowledgement (or the worker's death) decides where it goes.
     */
    synchronized void retire(WorkerHandle worker) {
        all.remove(worker);
        free.remove(worker);
    }

    /** The worker is gone (its channel closed): its unacknowledged socket goes to another worker. */
    synchronized void remove(WorkerHandle worker) {
        retire(worker);
        InFlight sent = inFlight.remove(worker);
        if (sent != null) {
            queue.addFirst(sent.socket());
            WorkerHandle other = free.poll();
            if (other != null) {
                handoffTo(other);
            }
        }
    }

    /**
     * No worker is left and none will come: close every queued socket (its client reads EOF) and
     * close the ones that arrive from now on, until a worker is {@link #add}ed again.
     */
    synchronized void abandon() {
        abandoned = true;
        for (SocketChannel socket; (socket = queue.poll()) != null; ) {
            closeQuietly(socket);
        }
    }

    /** Closes everything the master still holds: queued and in-flight sockets. */
    synchronized void close() {
        abandon();
        inFlight.values().forEach(sent -> closeQuietly(sent.socket()));
        inFlight.clear();
        all.clear();
        free.clear();
    }

    /** How many sockets wait for a free worker. */
    synchronized int queued() {
        return queue.size();
    }

    /** True when {@code worker} holds a socket it has not acknowledged. */
    synchronized boolean hasInFlight(WorkerHandle worker) {
        return inFlight.containsKey(worker);
    }

    /** Gives {@code worker} the first queued socket, or puts it on the free list when none waits. */
    private void handoffTo(WorkerHandle worker) {
        while (all.contains(worker)) {
            SocketChannel socket = queue.poll();
            if (socket == null) {
                if (!free.contains(worker)) {
                    free.add(worker);
                }
                return;
            }
            long seq = nextSeq++;
            inFlight.put(worker, new InFlight(seq, socket));
            try {
                handoff.send(worker, seq, socket);
                return;
            } catch (IOException e) {
                // The worker's channel is broken: it is dying. Take the socket back and try the next worker.
                inFlight.remove(worker);
                queue.addFirst(socket);
                retire(worker);
                worker = free.poll();
                if (worker == null) {
                    return;
                }
            }
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing our copy can only fail if it is closed already
        }
    }
}
