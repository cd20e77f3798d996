package ipclab.support.loop;

/**
 * What a {@link Watch} calls when its descriptor is ready: libuv's {@code uv__io_cb}, or the body
 * of lab 05's {@code for (SelectionKey key : selector.selectedKeys())}. It runs on the loop thread
 * and must not block: while it runs, no other descriptor, timer or task of this loop is served.
 */
@FunctionalInterface
public interface IoHandler {

    /**
     * {@code watch}'s descriptor is ready.
     *
     * @param events what is ready: {@link EventLoop#READABLE} and {@link EventLoop#WRITABLE} among
     *               those asked for, and {@link EventLoop#HANGUP} or {@link EventLoop#ERROR}, which
     *               the kernel always reports
     * @throws Exception reported on standard error with the descriptor's number; the watch is then
     *                   cancelled (its descriptor is not closed) and the loop goes on
     */
    void ready(Watch watch, int events) throws Exception;
}
