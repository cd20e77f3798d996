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
        throw new UnsupportedOperationException("TODO: join all (once), then handoff to it (Node: round_robin_handle.js 50-75)");
    }

    /** A newly accepted connection: to the tail of the queue, then to the first free worker (Node's {@code distribute}, 99&ndash;113). */
    void distribute(C connection) {
        throw new UnsupportedOperationException("TODO: append to handles, then hand off to the first free worker; closed at once when abandoned (Node: 99-113)");
    }

    /**
     * The worker's reply to {@code newconn seq} (Node's callback in {@code handoff}, 130&ndash;137).
     * Accepted: the master closes its copy. Refused: the connection goes back to the tail, to the
     * first free worker. Either way the worker is offered the next connection: that is the ack-gating.
     * A reply to anything but the connection the worker holds is ignored.
     */
    void reply(W worker, long seq, boolean accepted) {
        throw new UnsupportedOperationException("TODO: the worker answered the connection it held (ignore any other seq): whose copy can go now, and where does a refused one wait? The worker is free for more either way (Node: 131-138)");
    }

    /**
     * The worker leaves the round (Node's {@code remove}, 77&ndash;97, on a graceful disconnect): no
     * more connections for it. A connection in flight stays in flight: its reply decides where it goes.
     */
    void remove(W worker) {
        throw new UnsupportedOperationException("TODO: out of all and free; its connection in flight stays in flight (Node: 77-97)");
    }

    /**
     * The worker is gone (its channel closed): it leaves the round, and the connection it held
     * without replying goes to the head of the queue, for the first free worker. Node has no such
     * step: its client hangs.
     */
    void lost(W worker) {
        throw new UnsupportedOperationException("TODO: the worker is gone without a reply: the connection it held has waited longest, so it goes first to the next free worker (closed if abandoned)");
    }

    /**
     * No worker is left and none will come: close every queued connection (its client reads EOF),
     * and those that arrive from now on, until a worker is {@link #add}ed again.
     */
    void abandon() {
        throw new UnsupportedOperationException("TODO: close every queued connection, and those distributed from now on until a worker is added");
    }

    /** Closes every connection the master still holds, queued or in flight. */
    void close() {
        throw new UnsupportedOperationException("TODO: abandon, and close the connections in flight too");
    }

    /** How many connections wait for a free worker. */
    int queued() {
        throw new UnsupportedOperationException("TODO: how many connections wait in handles");
    }

    /** True when {@code worker} holds a connection it has not replied to. */
    boolean inFlight(W worker) {
        throw new UnsupportedOperationException("TODO: whether the worker holds a connection it has not replied to");
    }

    /** Node's {@code handoff} (115&ndash;139): the first queued connection to {@code worker}, or the worker to the free list. */
    private void handoff(W worker) {
        throw new UnsupportedOperationException("TODO: give the worker its next connection, or make it free; ack-gating: it holds one until it replies. A worker out of the round gets nothing; a send that fails means its channel is broken (Node: 115-139)");
    }

    private void handToFirstFree() {
        throw new UnsupportedOperationException("TODO: take the first free worker out of free and handoff to it");
    }
}
