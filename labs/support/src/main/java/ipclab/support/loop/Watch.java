package ipclab.support.loop;

import ipclab.support.ErrnoException;

/**
 * One descriptor watched by an {@link EventLoop}, and what to call when it is ready: libuv's
 * {@code uv__io_t} (the struct under every {@code uv_tcp_t} and {@code uv_pipe_t}), or lab 05's
 * {@code SelectionKey}. Made by {@link EventLoop#watch}.
 *
 * <p>Watching is level-triggered, as in libuv and the JDK's {@code Selector}: the handler is called
 * on every turn of the loop for as long as the descriptor is ready. A handler that reads only part of
 * what is waiting is simply called again; one that keeps {@link EventLoop#WRITABLE} while it has
 * nothing to write is called on every turn, and the loop spins. Drop WRITABLE with
 * {@link #interest(int)} when the output queue is empty.
 *
 * <p>The watch never owns its descriptor: {@link #cancel()} stops watching and leaves the descriptor
 * open. Close it yourself, <em>after</em> cancelling (see {@link #cancel()} for why that order).
 *
 * <p>Every method must be called on the loop's thread: from a callback, or through
 * {@link EventLoop#execute}.
 */
public final class Watch {

    private final EventLoop loop;
    private final int fd;
    private final int generation;
    private final boolean exclusive;
    private final IoHandler handler;
    private int interest;
    private boolean active = true;

    Watch(EventLoop loop, int fd, int generation, int interest, boolean exclusive, IoHandler handler) {
        this.loop = loop;
        this.fd = fd;
        this.generation = generation;
        this.interest = interest;
        this.exclusive = exclusive;
        this.handler = handler;
    }

    /** The descriptor watched. */
    public int fd() {
        return fd;
    }

    /** The events asked for now: {@link EventLoop#READABLE}, {@link EventLoop#WRITABLE}, both, or 0 (paused). */
    public int interest() {
        return interest;
    }

    /**
     * Asks for other events: {@link EventLoop#READABLE}, {@link EventLoop#WRITABLE}, both, or 0 to
     * pause the watch (libuv's {@code uv__io_start} and {@code uv__io_stop}). A paused descriptor
     * leaves the kernel's interest list altogether, so not even {@link EventLoop#HANGUP} is reported
     * until it is resumed. Asking for what is asked already costs no system call.
     *
     * @throws ErrnoException when epoll_ctl fails
     * @throws IllegalStateException when called off the loop thread, or after {@link #cancel()}
     */
    public void interest(int events) throws ErrnoException {
        loop.changeInterest(this, events);
    }

    /**
     * Stops watching, for good: {@code epoll_ctl(EPOLL_CTL_DEL)}. Never closes the descriptor. An
     * event of this descriptor already collected in the current turn is dropped, not delivered.
     *
     * <p>Cancel <em>before</em> you close. epoll watches an open file description, not a number:
     * close first, and while another descriptor still refers to the description (a dup, a copy sent
     * to another process), the kernel goes on reporting it under the closed number, which nobody can
     * remove from the interest list any more.
     *
     * @throws IllegalStateException when called off the loop thread
     */
    public void cancel() {
        loop.cancel(this);
    }

    /** True until {@link #cancel()} (or a handler that threw) ended this watch. */
    public boolean isActive() {
        return active;
    }

    /** The loop this watch belongs to. */
    public EventLoop loop() {
        return loop;
    }

    int generation() {
        return generation;
    }

    boolean exclusive() {
        return exclusive;
    }

    IoHandler handler() {
        return handler;
    }

    void setInterest(int events) {
        interest = events;
    }

    void deactivate() {
        active = false;
    }

    /**
     * What the kernel stores with this registration and hands back with every event: the descriptor
     * in the low 32 bits and this watch's generation in the high 32. A descriptor closed and opened
     * again while one turn's events are being handled has the same number but a new watch, so an
     * event collected for the old one is recognised by its generation and dropped.
     */
    long epollData() {
        return ((long) generation << 32) | (fd & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        return "Watch[fd " + fd + ", interest " + EventLoop.describe(interest) + (exclusive ? ", exclusive" : "")
                + (active ? "" : ", cancelled") + "]";
    }
}
