package ipclab.lab10;

import java.io.IOException;
import java.nio.channels.SocketChannel;

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

    RoundRobinHandle(Handoff handoff) {
        this.handoff = handoff;
    }

    /** A worker is ready for connections: it joins the free list and gets a queued socket if one waits. */
    synchronized void add(WorkerHandle worker) {
        throw new UnsupportedOperationException("TODO: remember the worker, then hand it the first queued socket (sendmsg via handoff) or put it on the free list");
    }

    /** A newly accepted socket: to the first free worker, or into the queue until one is free. */
    synchronized void distribute(SocketChannel socket) {
        throw new UnsupportedOperationException("TODO: queue the accepted socket and hand it to the first free worker; close it at once when abandoned");
    }

    /**
     * The worker's answer to {@code newconn seq}. Accepted: the master closes its copy and the worker
     * gets the next socket. Refused (the worker is closing): the socket goes to another worker and
     * the refusing one gets no more.
     */
    synchronized void ack(WorkerHandle worker, long seq, boolean accepted) {
        throw new UnsupportedOperationException("TODO: accepted -> close(2) our copy and hand the worker its next socket; refused -> requeue it first for another worker");
    }

    /**
     * The worker leaves on purpose (graceful disconnect): no more sockets for it. A socket in flight
     * stays in flight: its acknowledgement (or the worker's death) decides where it goes.
     */
    synchronized void retire(WorkerHandle worker) {
        throw new UnsupportedOperationException("TODO: take the worker out of the round (and the free list); leave its in-flight socket alone");
    }

    /** The worker is gone (its channel closed): its unacknowledged socket goes to another worker. */
    synchronized void remove(WorkerHandle worker) {
        throw new UnsupportedOperationException("TODO: retire the worker and put its unacknowledged socket back at the head of the queue for a free worker");
    }

    /**
     * No worker is left and none will come: close every queued socket (its client reads EOF) and
     * close the ones that arrive from now on, until a worker is {@link #add}ed again.
     */
    synchronized void abandon() {
        throw new UnsupportedOperationException("TODO: close(2) every queued socket so its client reads EOF, and the ones that arrive later");
    }

    /** Closes everything the master still holds: queued and in-flight sockets. */
    synchronized void close() {
        throw new UnsupportedOperationException("TODO: close(2) every queued and in-flight socket the master still holds");
    }

    /** How many sockets wait for a free worker. */
    synchronized int queued() {
        throw new UnsupportedOperationException("TODO: the length of the queue");
    }

    /** True when {@code worker} holds a socket it has not acknowledged. */
    synchronized boolean hasInFlight(WorkerHandle worker) {
        throw new UnsupportedOperationException("TODO: whether a socket handed to this worker still waits for its ack");
    }
}
