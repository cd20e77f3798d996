package ipclab.support;

import java.io.IOException;
import java.util.Map;

/**
 * A failed system call, said for people: which call, on what, the errno symbol, the C library's
 * text for it and, where the labs know it, what it means in this situation. For example:
 * <pre>write(fd 7) failed: EPIPE (Broken pipe): every read end of this pipe is closed, so nobody can ever read these bytes</pre>
 */
public final class ErrnoException extends IOException {

    /** What an errno means for a particular call, keyed "call:SYMBOL"; "*:SYMBOL" applies to every call. */
    private static final Map<String, String> MEANINGS = Map.ofEntries(
            Map.entry("*:EBADF", "that descriptor number is not open in this process (closed already, or never opened)"),
            Map.entry("*:EMFILE", "this process has as many descriptors open as its limit allows (ulimit -n): something is leaking descriptors"),
            Map.entry("*:EAGAIN", "the descriptor is non-blocking and the call would have to wait"),
            Map.entry("write:EAGAIN", "the descriptor is non-blocking and the pipe or socket buffer is full: nobody has read enough yet"),
            Map.entry("read:EAGAIN", "the descriptor is non-blocking and nothing is there to read yet, though a writer still exists"),
            Map.entry("write:EPIPE", "every read end of this pipe or socket is closed, so nobody can ever read these bytes"),
            Map.entry("open:ENXIO", "no process has this FIFO open for reading, and a non-blocking open for writing does not wait for one"),
            Map.entry("open:ENOENT", "no file has that name (did a peer remove it already?)"),
            Map.entry("mkfifo:EEXIST", "a file with that name already exists; remove it first or choose another name"),
            Map.entry("kcmp:EPERM", "the kernel does not let this process inspect the other one (ptrace access mode check)"),
            Map.entry("kcmp:ESRCH", "no process with that pid exists"),
            Map.entry("kcmp:EBADF", "one of the two descriptors is not open in its process"),
            Map.entry("kill:ESRCH", "no process with that pid exists: it has exited and been reaped"),
            Map.entry("kill:EPERM", "this process may not signal that one (it belongs to another user)"),
            Map.entry("killpg:ESRCH", "no process is left in that process group"),
            Map.entry("killpg:EPERM", "this process may not signal any process of that group (they belong to another user)"),
            Map.entry("setsid:EPERM", "this process leads a process group already, and a group leader cannot start a session"),
            Map.entry("getsid:ESRCH", "no process with that pid exists"),
            Map.entry("getpgid:ESRCH", "no process with that pid exists"),
            Map.entry("waitpid:ECHILD", "that process is not a child of this one, or it was reaped already"),
            Map.entry("pidfd_open:ESRCH", "no process with that pid exists (a zombie still does: it has exited but not been reaped)"),
            Map.entry("pidfd_open:ENOSYS", "this kernel has no pidfd_open (Linux 5.3 added it)"),
            Map.entry("fcntl:EINVAL", "that command or argument is not valid for this kind of descriptor"),
            Map.entry("fcntl:EPERM", "an unprivileged process may not grow a pipe beyond /proc/sys/fs/pipe-max-size"),
            Map.entry("fcntl:EBUSY", "the pipe holds more data than the smaller size could keep"),
            Map.entry("lseek:ESPIPE", "pipes, FIFOs and sockets have no file offset to move"),
            Map.entry("mq_open:EEXIST", "a queue with that name exists already (O_CREAT|O_EXCL)"),
            Map.entry("mq_open:ENOENT", "no queue has that name (was it unlinked already?)"),
            Map.entry("mq_open:EINVAL", "the name lacks its leading '/', or the limits exceed /proc/sys/fs/mqueue/msg_max or msgsize_max"),
            Map.entry("mq_send:EMSGSIZE", "the message is longer than the queue's mq_msgsize"),
            Map.entry("mq_send:EAGAIN", "the queue is full and its descriptor is non-blocking"),
            Map.entry("mq_receive:EMSGSIZE", "the buffer is smaller than the queue's mq_msgsize: it must hold the largest message"),
            Map.entry("mq_receive:EAGAIN", "the queue is empty and its descriptor is non-blocking"),
            Map.entry("*:ENOTSOCK", "that descriptor is open, but not a socket"),
            Map.entry("*:ECONNRESET", "the peer closed the connection with data it had not read yet, or reset it"),
            Map.entry("send:EPIPE", "the peer has closed its end, or shut it down: nobody can ever read these bytes"),
            Map.entry("sendmsg:EPIPE", "the peer has closed its end, or shut it down: nobody can ever read these bytes"),
            Map.entry("bind:EADDRINUSE", "another socket is bound to that address already (an abstract name is free again only when that socket is closed;"
                    + " a path stays taken while its socket file exists, even a stale one nobody listens on)"),
            Map.entry("connect:ECONNREFUSED", "no socket listens on that address (for an abstract name: none is bound to it, or it is not listening;"
                    + " for a path: the socket file is stale, its listener is gone)"),
            Map.entry("connect:ENOENT", "no socket file has that path (the server is not running, or removed it)"),
            Map.entry("accept4:EINVAL", "the socket is not listening: listen(2) was not called on it, or it was shut down"),
            Map.entry("epoll_ctl:EPERM", "epoll cannot watch this kind of file: a regular file or a directory is always ready to read and write"),
            Map.entry("epoll_ctl:EEXIST", "this descriptor is in the epoll instance's interest list already"),
            Map.entry("epoll_ctl:ENOENT", "this descriptor is not in the epoll instance's interest list (was it closed, and the kernel dropped it?)"),
            Map.entry("epoll_ctl:EINVAL", "EPOLLEXCLUSIVE is allowed with EPOLL_CTL_ADD only, and an epoll instance cannot watch itself"));

    private final String call;
    private final int code;

    public ErrnoException(String call, String on, int code) {
        this(call, on, code, null);
    }

    /**
     * A failure whose meaning the caller knows better than a fixed text can say, e.g. for
     * posix_spawn's ENOENT, "no such program 'x' on PATH" rather than only "no such file".
     *
     * @param meaning what it means here, or {@code null} for the usual text of this call and errno
     */
    public ErrnoException(String call, String on, int code, String meaning) {
        super(describe(call, on, code, meaning));
        this.call = call;
        this.code = code;
    }

    /** The system call that failed, e.g. {@code "write"}. */
    public String call() {
        return call;
    }

    /** The raw errno number. */
    public int code() {
        return code;
    }

    /** The errno as a symbol, or {@code null} for a number Linux does not use. */
    public Errno errno() {
        return Errno.of(code);
    }

    /** {@code true} when this failure carries the given errno. */
    public boolean is(Errno errno) {
        return code == errno.code();
    }

    private static String describe(String call, String on, int code, String meaningHere) {
        String symbol = Errno.symbolOf(code);
        StringBuilder text = new StringBuilder()
                .append(call).append('(').append(on).append(") failed: ")
                .append(symbol).append(" (").append(Libc.strerror(code)).append(')');
        String meaning = meaningHere != null ? meaningHere : MEANINGS.getOrDefault(call + ":" + symbol, MEANINGS.get("*:" + symbol));
        if (meaning != null) {
            text.append(": ").append(meaning);
        }
        return text.toString();
    }
}
