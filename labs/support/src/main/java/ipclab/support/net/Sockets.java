package ipclab.support.net;

import ipclab.support.Downcall;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The socket calls an event loop needs on raw descriptors, through the Foreign Function &amp; Memory
 * API: Unix-domain sockets on abstract names and paths, accept4, peer credentials, and sends and receives that
 * never block (a non-blocking socket that would wait answers -1) and that carry descriptors
 * ({@code SCM_RIGHTS}). They work on any socket descriptor: one made here, a JDK channel's (its
 * number from {@code ipclab.support.ChannelDescriptor.numberOf}), or one that arrived in a message.
 *
 * <p>Written like {@code Libc}: a handle from {@code CLibrary} per C function, one call through
 * {@code Downcall} per method, which captures errno right after the call; a failure becomes an
 * {@link ErrnoException} naming the call, the errno and what it means. A call interrupted by a signal
 * handler ({@code EINTR}) is made again. The calls an event loop makes for every message
 * ({@link #send}, {@link #sendmsg}, {@link #recvmsg}, {@link #accept4}) allocate no native memory:
 * their buffers are made once per thread, or per {@link Received}.
 */
public final class Sockets {

    /** The Unix domain: sockets that connect processes on one machine. */
    public static final int AF_UNIX = 1;
    /** IPv4 and IPv6: what {@link #SO_DOMAIN} says of a TCP or UDP socket. */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    /** A byte stream: boundaries between writes are not kept. */
    public static final int SOCK_STREAM = 1;
    /** Connected, reliable, in order, and every message arrives whole, as sent (lab 05). */
    public static final int SOCK_SEQPACKET = 5;
    /** Or'ed into a type, or given to accept4: the new descriptor is non-blocking. */
    public static final int SOCK_NONBLOCK = 04000;
    /** Or'ed into a type, or given to accept4: the new descriptor is close-on-exec. Every call here sets it. */
    public static final int SOCK_CLOEXEC = 02000000;
    /** shutdown(2): no more sending; the peer reads end of stream once it has read what was sent. */
    public static final int SHUT_WR = 1;
    /** A send flag: a peer that has gone away gives EPIPE, not a SIGPIPE that would end the process. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** getsockopt(2): the pid, uid and gid of the process that connected (or called socketpair). */
    public static final int SO_PEERCRED = 17;
    /** getsockopt(2): the socket's type, {@link #SOCK_STREAM} or another. */
    public static final int SO_TYPE = 3;
    /** getsockopt(2): 1 for a listening socket (listen(2) was called), 0 otherwise. */
    public static final int SO_ACCEPTCONN = 30;
    /** getsockopt(2): the socket's address family, {@link #AF_UNIX} or another. */
    public static final int SO_DOMAIN = 39;
    /** How many connections may wait to be accepted: Node's default for listen(). */
    public static final int BACKLOG = 511;

    /** offsetof(struct sockaddr_un, sun_path): after the 2-byte sa_family_t. */
    private static final int SUN_PATH = 2;
    /** sizeof(sun_path): an abstract name has one byte less, for the leading NUL. */
    private static final int SUN_PATH_BYTES = 108;

    /** int socket(int domain, int type, int protocol) */
    private static final MethodHandle SOCKET = LIBC.function("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int socketpair(int domain, int type, int protocol, int sv[2]) */
    private static final MethodHandle SOCKETPAIR = LIBC.function("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen) */
    private static final MethodHandle BIND = LIBC.function("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** int listen(int sockfd, int backlog) */
    private static final MethodHandle LISTEN = LIBC.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen) */
    private static final MethodHandle CONNECT = LIBC.function("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags) */
    private static final MethodHandle ACCEPT4 = LIBC.function("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    /** int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen) */
    private static final MethodHandle GETSOCKOPT = LIBC.function("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** int shutdown(int sockfd, int how) */
    private static final MethodHandle SHUTDOWN = LIBC.function("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** ssize_t send(int sockfd, const void *buf, size_t len, int flags) */
    private static final MethodHandle SEND = LIBC.function("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags) */
    private static final MethodHandle SENDMSG = LIBC.function("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags) */
    private static final MethodHandle RECVMSG = LIBC.function("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** Each thread's msghdr and control buffer for sendmsg (room for the one descriptor it may attach). */
    private static final ThreadLocal<NativeMessage> OUTGOING = ThreadLocal.withInitial(() -> new NativeMessage(1));

    /** Who is at the other end of a Unix-domain socket, as the kernel recorded it at connect (or socketpair). */
    public record PeerCredentials(int pid, int uid, int gid) {
    }

    private Sockets() {
    }

    /**
     * socketpair(2): two connected Unix-domain sockets, like a pipe but both ways.
     *
     * @param type {@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}, or'ed with {@link #SOCK_NONBLOCK} if wanted
     */
    public static int[] socketpair(int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pair = arena.allocate(JAVA_INT, 2);
            Downcall.retryingEintr("socketpair", "AF_UNIX, type " + type,
                    state -> (int) SOCKETPAIR.invokeExact(state, AF_UNIX, type | SOCK_CLOEXEC, 0, pair));
            return new int[] {pair.getAtIndex(JAVA_INT, 0), pair.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * A Unix-domain socket listening on the abstract name {@code name}: socket, bind and listen.
     * An abstract name (its first byte NUL) lives in the kernel, not in the file system: there is no
     * file to remove, and the name is free again when the socket is closed.
     *
     * @param type {@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}, or'ed with {@link #SOCK_NONBLOCK} if wanted
     * @throws ErrnoException EADDRINUSE when another socket is bound to that name
     */
    public static int listenUnixAbstract(String name, int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return listen(address(arena, name, true), "@" + name, type);
        }
    }

    /**
     * A Unix-domain socket connected to the one listening on the abstract name {@code name}.
     *
     * @param type as the listener's: {@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}
     * @throws ErrnoException ECONNREFUSED when nothing listens on that name
     */
    public static int connectUnixAbstract(String name, int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return connect(address(arena, name, true), "@" + name, type);
        }
    }

    /**
     * A Unix-domain socket listening on the file system path {@code path}: socket, bind, which makes
     * the socket file, and listen. Unlike an abstract name, the path has an owner and a mode, so file
     * permissions decide who may connect (connect(2) needs write permission on it); the mode is
     * 0777 less this process's umask. The file outlives the socket: remove it when done, and a stale
     * one before binding again.
     *
     * @param type {@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}, or'ed with {@link #SOCK_NONBLOCK} if wanted
     * @throws ErrnoException EADDRINUSE when a file has that path already, even a socket nobody listens on
     * @throws IllegalArgumentException when the path is longer than {@code sun_path} can hold
     */
    public static int listenUnixPath(Path path, int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return listen(address(arena, path.toString(), false), path.toString(), type);
        }
    }

    /**
     * A Unix-domain socket connected to the one listening on the path {@code path}.
     *
     * @param type as the listener's: {@link #SOCK_STREAM} or {@link #SOCK_SEQPACKET}
     * @throws ErrnoException ENOENT when there is no such file, ECONNREFUSED when nothing listens on it
     *                        (a stale socket file), EACCES when its mode does not let us write to it
     */
    public static int connectUnixPath(Path path, int type) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return connect(address(arena, path.toString(), false), path.toString(), type);
        }
    }

    private static int listen(MemorySegment address, String shown, int type) throws ErrnoException {
        int fd = socket(type);
        try {
            Downcall.retryingEintr("bind", "fd " + fd + ", " + shown,
                    state -> (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()));
            Downcall.retryingEintr("listen", "fd " + fd + ", " + shown, state -> (int) LISTEN.invokeExact(state, fd, BACKLOG));
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static int connect(MemorySegment address, String shown, int type) throws ErrnoException {
        int fd = socket(type);
        try {
            Downcall.retryingEintr("connect", "fd " + fd + ", " + shown,
                    state -> (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()));
            return fd;
        } catch (ErrnoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static int socket(int type) throws ErrnoException {
        return (int) Downcall.retryingEintr("socket", "AF_UNIX, type " + type,
                state -> (int) SOCKET.invokeExact(state, AF_UNIX, type | SOCK_CLOEXEC, 0));
    }

    /**
     * struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }, as long as its contents and
     * no longer. An abstract name is "\0name" in sun_path, with no terminating NUL: the length given
     * to bind and connect ends it. A path is "path\0", as a C string.
     */
    private static MemorySegment address(Arena arena, String name, boolean abstractName) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        String shown = abstractName ? "the abstract socket name @" + name : "the socket path " + name;
        if (bytes.length == 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(shown + " must not be empty nor hold a NUL");
        }
        if (bytes.length > SUN_PATH_BYTES - 1) {
            throw new IllegalArgumentException(shown + " has " + bytes.length + " bytes; sun_path holds " + SUN_PATH_BYTES
                    + (abstractName ? ", one of them the leading NUL" : ", one of them the terminating NUL: use a shorter directory"));
        }
        MemorySegment address = arena.allocate(SUN_PATH + 1 + bytes.length, 2);
        address.set(JAVA_SHORT, 0, (short) AF_UNIX);
        if (abstractName) {
            address.set(JAVA_BYTE, SUN_PATH, (byte) 0);
            MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH + 1, bytes.length);
        } else {
            MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH, bytes.length);
            address.set(JAVA_BYTE, SUN_PATH + bytes.length, (byte) 0);
        }
        return address;
    }

    /**
     * accept4(2): the next connection waiting on {@code listenFd}, as a new close-on-exec descriptor,
     * or -1 when none is waiting on a non-blocking listener (EAGAIN: none came, or another process
     * sharing the listener took it first).
     *
     * @param flags 0, or {@link #SOCK_NONBLOCK} for a connection an event loop will watch
     */
    public static int accept4(int listenFd, int flags) throws ErrnoException {
        while (true) {
            // NULL address and length: who the client is does not matter here.
            Downcall.Outcome accepted = Downcall.attempt("accept4",
                    state -> (int) ACCEPT4.invokeExact(state, listenFd, MemorySegment.NULL, MemorySegment.NULL, flags | SOCK_CLOEXEC));
            if (!accepted.failed()) {
                return (int) accepted.result();
            }
            switch (accepted.errno()) {
                case EAGAIN -> {
                    return -1;
                }
                // A signal handler ran, or a client gave up between arriving and being accepted: try again.
                case EINTR, ECONNABORTED -> { }
                case null, default -> throw accepted.exception("listening socket " + listenFd);
            }
        }
    }

    /**
     * getsockopt(SO_PEERCRED): the process at the other end of a connected Unix-domain socket, as it
     * was when it connected. The kernel fills it in; the peer cannot lie about it.
     */
    public static PeerCredentials peerCredentials(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            MemorySegment ucred = arena.allocate(JAVA_INT, 3);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) ucred.byteSize());
            Downcall.retryingEintr("getsockopt", "fd " + fd + ", SO_PEERCRED",
                    state -> (int) GETSOCKOPT.invokeExact(state, fd, MessageHeader.SOL_SOCKET, SO_PEERCRED, ucred, length));
            return new PeerCredentials(ucred.getAtIndex(JAVA_INT, 0), ucred.getAtIndex(JAVA_INT, 1), ucred.getAtIndex(JAVA_INT, 2));
        }
    }

    /**
     * getsockopt(2) of an int option at {@code SOL_SOCKET}, such as {@link #SO_TYPE} or
     * {@link #SO_ACCEPTCONN}: what the kernel says a descriptor is.
     *
     * @throws ErrnoException ENOTSOCK when {@code fd} is not a socket (a pipe, a file), EBADF when it is not open
     */
    public static int intOption(int fd, int option) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) value.byteSize());
            Downcall.retryingEintr("getsockopt", "fd " + fd + ", option " + option,
                    state -> (int) GETSOCKOPT.invokeExact(state, fd, MessageHeader.SOL_SOCKET, option, value, length));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * shutdown(SHUT_WR): we send no more. The peer reads end of stream after the bytes already sent,
     * and can still send to us. Unlike close(2), it acts on the socket itself, in every process that
     * holds it.
     */
    public static void shutdownOutput(int fd) throws ErrnoException {
        Downcall.retryingEintr("shutdown", "fd " + fd + ", SHUT_WR", state -> (int) SHUTDOWN.invokeExact(state, fd, SHUT_WR));
    }

    /** Makes {@code fd}'s open file description non-blocking (shared by every descriptor and process holding it). */
    public static void setNonBlocking(int fd) throws ErrnoException {
        Libc.fcntl(fd, Libc.F_SETFL, Libc.fcntl(fd, Libc.F_GETFL) | Libc.O_NONBLOCK);
    }

    /**
     * send(2) with {@link #MSG_NOSIGNAL}: how many of the {@code length} bytes at {@code data} the
     * socket took, possibly fewer; -1 when it took none because its buffer is full and it is
     * non-blocking (EAGAIN).
     *
     * @throws ErrnoException EPIPE when the peer has closed its end
     */
    public static int send(int fd, MemorySegment data, long length) throws ErrnoException {
        return (int) unlessWouldBlock("send", fd, state -> (long) SEND.invokeExact(state, fd, data, length, MSG_NOSIGNAL));
    }

    /**
     * sendmsg(2) with {@link #MSG_NOSIGNAL}: as {@link #send}, and with {@code attachFd} (when it is
     * not negative) carried in an {@code SCM_RIGHTS} control message. The descriptor goes with the
     * first byte of this message: when fewer bytes than {@code length} were taken, send the rest
     * without it, or the peer receives it twice. The sender's copy stays open; close it when you wish.
     *
     * @return bytes taken, or -1 when none were (EAGAIN): then the descriptor was not sent either
     */
    public static int sendmsg(int fd, MemorySegment data, long length, int attachFd) throws ErrnoException {
        NativeMessage message = OUTGOING.get();
        message.data(data, length);
        if (attachFd < 0) {
            message.attachNothing();
        } else {
            message.attach(attachFd);
        }
        MemorySegment header = message.header();
        return (int) unlessWouldBlock("sendmsg", fd, state -> (long) SENDMSG.invokeExact(state, fd, header, MSG_NOSIGNAL));
    }

    /**
     * recvmsg(2) with {@code MSG_CMSG_CLOEXEC} into {@code capacity} bytes at {@code buffer}, and
     * whatever descriptors came with them, into {@code into} (see {@link Received}). On a stream
     * socket, the kernel never puts bytes sent after a message with descriptors into the same read,
     * so a descriptor arrives with the first byte of its message.
     *
     * @return bytes received, as {@code into.bytes()}: 0 at end of stream, -1 when nothing is there
     *         (EAGAIN, non-blocking); the descriptors that arrived are open, and the caller's to close
     */
    public static int recvmsg(int fd, MemorySegment buffer, long capacity, Received into) throws ErrnoException {
        NativeMessage message = into.message();
        message.data(buffer, capacity);
        message.offerControl();
        MemorySegment header = message.header();
        int result = (int) unlessWouldBlock("recvmsg", fd,
                state -> (long) RECVMSG.invokeExact(state, fd, header, MessageHeader.MSG_CMSG_CLOEXEC));
        into.record(result);
        return result;
    }

    /** Makes the call, again after EINTR; -1 for EAGAIN; any other failure is thrown, naming {@code fd}. */
    private static long unlessWouldBlock(String call, int fd, Downcall.Invocation invocation) throws ErrnoException {
        while (true) {
            Downcall.Outcome outcome = Downcall.attempt(call, invocation);
            if (!outcome.failed()) {
                return outcome.result();
            }
            if (outcome.is(Errno.EAGAIN)) {
                return -1;
            }
            if (!outcome.is(Errno.EINTR)) {
                throw outcome.exception("fd " + fd);
            }
        }
    }
}
