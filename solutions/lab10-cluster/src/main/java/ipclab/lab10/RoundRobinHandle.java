package ipclab.lab10;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The master's side of round-robin scheduling, Node's {@code RoundRobinHandle}
 * ({@code lib/internal/cluster/round_robin_handle.js}): accepted connections wait in a queue, free
 * workers wait in a free list, and a worker gets its next connection only after it has replied to
 * the last one. Until that reply the master keeps its own copy of the connection.
 *
 * <p>Pure: it knows nothing of sockets or processes. A worker is any {@code W}, a connection any
 * {@code C}; {@link Handoff} sends one to one worker, {@link Closer} closes the master's copy. So it
 * can be tested with fakes, and the master uses it with {@link WorkerHandle} and descriptor numbers.
 *
 * <p>Two deviations from Node, both on purpose (see the handout): a connection in flight to a worker
 * that is {@link #lost} goes to another worker (Node forgets it, and its client hangs), and a handle
 * with no worker left keeps its queue until it is {@link #abandon}ed (Node closes it, and the
 * listener, when the last worker is removed).
 *
 * <p>Not thread-safe, and it needs not be: the master calls it on its loop thread only.
 */
final class RoundRobinHandle<W, C> {

    /** Sends one connection to one worker: Node's {@code sendHelper(worker.process, {act:'newconn'}, handle, cb)}. */
    @FunctionalInterface
    interface Handoff<W, C> {
        /** @throws IOException when the worker cannot be reached: it counts as {@link RoundRobinHandle#lost}. */
        void send(W worker, long seq, C connection) throws IOException;
    }

    /** Closes the master's copy of a connection: Node's {@code handle.close()}. Never throws. */
    @FunctionalInterface
    interface Closer<C> {
        void close(C connection);
    }

    /** A connection handed to a worker and not yet replied to, with the number its reply will carry. */
    record InFlight<C>(long seq, C connection) {
    }

    private final Handoff<W, C> handoff;
    private final Closer<C> closer;
    /** The workers in the round. Node: {@code this.all}, a Map by worker id. */
    private final Set<W> all = new HashSet<>();
    /** Workers waiting for a connection, first come first served. Node: {@code this.free}, a Map in insertion order. */
    private final LinkedHashSet<W> free = new LinkedHashSet<>();
    /** Connections waiting for a free worker. Node: {@code this.handles}, a linked list. */
    private final ArrayDeque<C> handles = new ArrayDeque<>();
    /**
     * What each worker holds and has not replied to. Node keeps this only as the reply callback that
     * {@code sendHelper} stores under the message's seq ({@code lib/internal/cluster/utils.js} 16&ndash;29).
     */
    private final Map<W, InFlight<C>> inFlight = new HashMap<>();
    /** The next message number. Node: the module-wide {@code seq} of {@code utils.js}. */
    private long nextSeq = 1;
    /** True once no worker is left and none will come: connections are closed as they arrive. Not in Node. */
    private boolean abandoned;

    RoundRobinHandle(Handoff<W, C> handoff, Closer<C> closer) {
        this.handoff = handoff;
        this.closer = closer;
    }

    /** A worker is listening: it joins the round, and gets a queued connection if one waits (Node's {@code add}, 50&ndash;75). */
    void add(W worker) {
        if (all.add(worker)) {
            abandoned = false;
            handoff(worker);
        }
    }

    /** A newly accepted connection: to the tail of the queue, then to the first free worker (Node's {@code distribute}, 99&ndash;113). */
    void distribute(C connection) {
        if (abandoned) {
            closer.close(connection); // waiting would hang the client for ever
            return;
        }
        handles.add(connection);
        handToFirstFree();
    }

    /**
     * The worker's reply to {@code newconn seq} (Node's callback in {@code handoff}, 130&ndash;137).
     * Accepted: the master closes its copy. Refused: the connection goes back to the tail, to the
     * first free worker. Either way the worker is offered the next connection: that is the ack-gating.
     * A reply to anything but the connection the worker holds is ignored.
     */
    void reply(W worker, long seq, boolean accepted) {
        InFlight<C> sent = inFlight.get(worker);
        if (sent == null || sent.seq() != seq) {
            return;
        }
        inFlight.remove(worker);
        if (accepted) {
            closer.close(sent.connection());
        } else {
            distribute(sent.connection());
        }
        handoff(worker);
    }

    /**
     * The worker leaves the round (Node's {@code remove}, 77&ndash;97, on a graceful disconnect): no
     * more connections for it. A connection in flight stays in flight: its reply decides where it goes.
     */
    void remove(W worker) {
        all.remove(worker);
        free.remove(worker);
    }

    /**
     * The worker is gone (its channel closed): it leaves the round, and the connection it held
     * without replying goes to the head of the queue, for the first free worker. Node has no such
     * step: its client hangs.
     */
    void lost(W worker) {
        remove(worker);
        InFlight<C> sent = inFlight.remove(worker);
        if (sent == null) {
            return;
        }
        if (abandoned) {
            closer.close(sent.connection());
        } else {
            handles.addFirst(sent.connection());
            handToFirstFree();
        }
    }

    /**
     * No worker is left and none will come: close every queued connection (its client reads EOF),
     * and those that arrive from now on, until a worker is {@link #add}ed again.
     */
    void abandon() {
        abandoned = true;
        for (C connection; (connection = handles.poll()) != null; ) {
            closer.close(connection);
        }
    }

    /** Closes every connection the master still holds, queued or in flight. */
    void close() {
        abandon();
        inFlight.values().forEach(sent -> closer.close(sent.connection()));
        inFlight.clear();
        all.clear();
        free.clear();
    }

    /** How many connections wait for a free worker. */
    int queued() {
        return handles.size();
    }

    /** True when {@code worker} holds a connection it has not replied to. */
    boolean inFlight(W worker) {
        return inFlight.containsKey(worker);
    }

    /** Node's {@code handoff} (115&ndash;139): the first queued connection to {@code worker}, or the worker to the free list. */
    private void handoff(W worker) {
        if (!all.contains(worker)) {
            return; // leaving, or gone
        }
        C connection = handles.poll();
        if (connection == null) {
            free.add(worker);
            return;
        }
        long seq = nextSeq++;
        inFlight.put(worker, new InFlight<>(seq, connection));
        try {
            handoff.send(worker, seq, connection);
        } catch (IOException e) {
            lost(worker); // the connection goes to the next free worker
        }
    }

    private void handToFirstFree() {
        Iterator<W> first = free.iterator();
        if (first.hasNext()) {
            W worker = first.next();
            first.remove();
            handoff(worker);
        }
    }
}
