package ipclab.support;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Objects;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls the labs use, through the Foreign Function &amp; Memory API: the same calls a C
 * program makes, with the same arguments and the same constants.
 *
 * <p>Each method is a handle from {@link CLibrary} and one call through {@link Downcall}: errno is
 * captured right after the call returns, and a failure becomes an {@link ErrnoException} that names
 * the call, the errno and what it means. A call interrupted by a signal ({@code EINTR}) is simply
 * made again, as the JDK does for its own I/O; close(2) is the exception.
 */
public final class Libc {

    // open(2) flags, in octal as in <fcntl.h> (x86-64 and arm64 Linux share them).
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    // fcntl(2) commands.
    public static final int F_DUPFD = 0;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    public static final int FD_CLOEXEC = 1;

    // lseek(2) whence.
    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;

    // poll(2) events.
    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;

    // kcmp(2) types.
    public static final int KCMP_FILE = 0;

    // Signals (x86-64 and arm64 numbering).
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    // prctl(2) options.
    public static final int PR_SET_CHILD_SUBREAPER = 36;
    public static final int PR_GET_CHILD_SUBREAPER = 37;

    // waitpid(2) options.
    public static final int WNOHANG = 1;

    // sysconf(3) names, as glibc numbers them in <bits/confname.h>.
    /** Clock ticks per second: the unit of utime and stime in /proc/PID/stat (fields 14 and 15). */
    public static final int _SC_CLK_TCK = 2;
    /** Bytes in a page of memory: the unit of /proc/PID/statm, and of rss in /proc/PID/stat (field 24). */
    public static final int _SC_PAGESIZE = 30;

    /** Writes to a pipe of at most this many bytes are atomic: they never interleave with others. */
    public static final int PIPE_BUF = 4096;

    private static final long SYS_KCMP = "aarch64".equals(System.getProperty("os.arch")) ? 272 : 312;

    private static final MethodHandle PIPE2 = LIBC.function("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle DUP = LIBC.function("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = LIBC.function("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP3 = LIBC.function("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LIBC.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = LIBC.function("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = LIBC.function("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    /** int fcntl(int fd, int cmd, ...): the commands used here take one int or nothing (an ignored 0). */
    private static final MethodHandle FCNTL = LIBC.variadic("fcntl", 2, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int open(const char *path, int flags, ...): the one optional argument is the mode of a created file. */
    private static final MethodHandle OPEN = LIBC.variadic("open", 2, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LSEEK = LIBC.function("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = LIBC.function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MKFIFO = LIBC.function("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = LIBC.function("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle KILLPG = LIBC.function("killpg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSID = LIBC.function("setsid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETSID = LIBC.function("getsid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPGID = LIBC.function("getpgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    /** mode_t umask(mode_t mask): mode_t is an unsigned int on Linux. */
    private static final MethodHandle UMASK = LIBC.functionWithoutErrno("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SYSCONF = LIBC.function("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    /** int prctl(int option, ...): the options used here take one unsigned long. */
    private static final MethodHandle PRCTL = LIBC.variadic("prctl", 1, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle WAITPID = LIBC.function("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETEUID = LIBC.functionWithoutErrno("geteuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETPID = LIBC.functionWithoutErrno("getpid", FunctionDescriptor.of(JAVA_INT));
    /** long syscall(long number, ...): for kcmp(2), which glibc has no wrapper for; five arguments, each a long. */
    private static final MethodHandle SYSCALL5 = LIBC.variadic("syscall", 1,
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle STRERROR = LIBC.functionWithoutErrno("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    /** pipe2(2): a new pipe; element 0 is the read end, element 1 the write end. */
    public static int[] pipe2(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            Downcall.retryingEintr("pipe2", "flags 0" + Integer.toOctalString(flags), state -> (int) PIPE2.invokeExact(state, fds, flags));
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** dup(2): the lowest free descriptor number, referring to the same open file description as {@code fd}. */
    public static int dup(int fd) throws ErrnoException {
        return (int) Downcall.retryingEintr("dup", "fd " + fd, state -> (int) DUP.invokeExact(state, fd));
    }

    /** dup2(2): makes {@code newFd} refer to what {@code oldFd} refers to, closing whatever {@code newFd} was first. */
    public static int dup2(int oldFd, int newFd) throws ErrnoException {
        return (int) Downcall.retryingEintr("dup2", "fd " + oldFd + ", fd " + newFd,
                state -> (int) DUP2.invokeExact(state, oldFd, newFd));
    }

    /** dup3(2): dup2 that can set {@link #O_CLOEXEC} on the new descriptor in the same step. */
    public static int dup3(int oldFd, int newFd, int flags) throws ErrnoException {
        return (int) Downcall.retryingEintr("dup3", "fd " + oldFd + ", fd " + newFd,
                state -> (int) DUP3.invokeExact(state, oldFd, newFd, flags));
    }

    /**
     * close(2). Not retried on EINTR: on Linux the descriptor is released even then, and a retry
     * could close a descriptor another thread has just been given the same number for.
     */
    public static void close(int fd) throws ErrnoException {
        Downcall.closing("close", "fd " + fd, state -> (int) CLOSE.invokeExact(state, fd));
    }

    /**
     * close(2) where a failure changes nothing the caller could do (a descriptor being dropped on
     * an error path, or a client already answered): the failure is printed on stderr after
     * {@code who}, not thrown. A negative {@code fd}, meaning "none", is left alone.
     */
    public static void closeQuietly(int fd, String who) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (ErrnoException e) {
            System.err.println(who + ": " + e.getMessage());
        }
    }

    /** read(2) into {@code buffer[offset..offset+length)}: the number of bytes read, 0 at end of file. */
    public static int read(int fd, byte[] buffer, int offset, int length) throws ErrnoException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(Math.max(1, length));
            int n = read(fd, native_, length);
            MemorySegment.copy(native_, ValueLayout.JAVA_BYTE, 0, buffer, offset, n);
            return n;
        }
    }

    /** read(2) into a native segment: the number of bytes read, 0 at end of file. */
    public static int read(int fd, MemorySegment buffer, long length) throws ErrnoException {
        return (int) Downcall.retryingEintr("read", "fd " + fd + ", " + length + " bytes",
                state -> (long) READ.invokeExact(state, fd, buffer, length));
    }

    /**
     * write(2) of {@code buffer[offset..offset+length)}: the number of bytes written, which for a
     * pipe or socket can be fewer than asked. Loop if you need all of them written.
     */
    public static int write(int fd, byte[] buffer, int offset, int length) throws ErrnoException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(Math.max(1, length));
            MemorySegment.copy(buffer, offset, native_, ValueLayout.JAVA_BYTE, 0, length);
            return write(fd, native_, length);
        }
    }

    /** write(2) from a native segment: the number of bytes written (possibly fewer than asked). */
    public static int write(int fd, MemorySegment buffer, long length) throws ErrnoException {
        return (int) Downcall.retryingEintr("write", "fd " + fd + ", " + length + " bytes",
                state -> (long) WRITE.invokeExact(state, fd, buffer, length));
    }

    /** fcntl(2) with no argument, such as {@link #F_GETFL}, {@link #F_GETFD} or {@link #F_GETPIPE_SZ}. */
    public static int fcntl(int fd, int command) throws ErrnoException {
        return fcntl(fd, command, 0);
    }

    /** fcntl(2) with an int argument, such as {@link #F_SETFL} or {@link #F_SETPIPE_SZ}. */
    public static int fcntl(int fd, int command, int argument) throws ErrnoException {
        return (int) Downcall.retryingEintr("fcntl", "fd " + fd + ", cmd " + command,
                state -> (int) FCNTL.invokeExact(state, fd, command, argument));
    }

    /** open(2): a new open file description for {@code path}, and the lowest free descriptor for it. */
    public static int open(Path path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            return (int) Downcall.retryingEintr("open", path.toString(), state -> (int) OPEN.invokeExact(state, cPath, flags, mode));
        }
    }

    /** lseek(2): moves the file offset, which lives in the open file description, not the descriptor. */
    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        return Downcall.retryingEintr("lseek", "fd " + fd, state -> (long) LSEEK.invokeExact(state, fd, offset, whence));
    }

    /**
     * poll(2) on one descriptor: the events that are ready ({@code revents}), or 0 when none became
     * ready within {@code timeoutMillis} (0 asks without waiting; -1 waits for ever).
     */
    public static short poll(int fd, short events, int timeoutMillis) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct pollfd { int fd; short events; short revents; }
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, events);
            long ready = Downcall.retryingEintr("poll", "fd " + fd, state -> (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis));
            return ready == 0 ? 0 : pollfd.get(JAVA_SHORT, 6);
        }
    }

    /** poll(2) {@code revents} as names, {@code "POLLIN | POLLHUP"}, or {@code "no events"}: for messages. */
    public static String pollEventNames(short revents) {
        java.util.List<String> names = new java.util.ArrayList<>();
        String[] symbols = {"POLLIN", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL"};
        short[] bits = {POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL};
        for (int i = 0; i < bits.length; i++) {
            if ((revents & bits[i]) != 0) {
                names.add(symbols[i]);
            }
        }
        return names.isEmpty() ? "no events" : String.join(" | ", names);
    }

    /** mkfifo(3): creates a named pipe (a FIFO special file) with the given permission bits. */
    public static void mkfifo(Path path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            Downcall.retryingEintr("mkfifo", path.toString(), state -> (int) MKFIFO.invokeExact(state, cPath, mode));
        }
    }

    /** kill(2): sends signal {@code signal} to process {@code pid} (signal 0 only checks that it may). */
    public static void kill(long pid, int signal) throws ErrnoException {
        Downcall.retryingEintr("kill", "pid " + pid + ", signal " + signal, state -> (int) KILL.invokeExact(state, (int) pid, signal));
    }

    /** getpid(2): this process's id, as the kernel knows it. */
    public static int getpid() {
        return Downcall.cannotFail("getpid", () -> (int) GETPID.invokeExact());
    }

    /** geteuid(2): the user id this process acts as (0 for root). */
    public static int geteuid() {
        return Downcall.cannotFail("geteuid", () -> (int) GETEUID.invokeExact());
    }

    /**
     * prctl(2) with one argument, e.g. {@code prctl(PR_SET_CHILD_SUBREAPER, 1)}: orphans among this
     * process's descendants are then re-parented to it instead of to init, so they stay findable.
     */
    public static int prctl(int option, long argument) throws ErrnoException {
        return (int) Downcall.retryingEintr("prctl", "option " + option + ", " + argument,
                state -> (int) PRCTL.invokeExact(state, option, argument));
    }

    /**
     * waitpid(2) with {@link #WNOHANG}: reaps {@code pid} if it is a child of this process that has
     * exited; returns its pid then, 0 while it still runs.
     */
    public static int waitpidNoHang(long pid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            return waitpid(pid, arena.allocate(JAVA_INT), WNOHANG);
        }
    }

    /**
     * waitpid(2): waits for the child {@code pid} to change state, and reaps it when it has exited.
     * Returns its pid then, with the raw status (an {@code int}, decoded as C's {@code WIFEXITED},
     * {@code WEXITSTATUS}, {@code WTERMSIG} do) written to {@code status}; with {@link #WNOHANG},
     * returns 0 at once while the child still runs. Without WNOHANG it blocks the calling thread.
     *
     * @throws ErrnoException ECHILD when {@code pid} is not a child of this process, or was reaped already
     */
    public static int waitpid(long pid, MemorySegment status, int options) throws ErrnoException {
        return (int) Downcall.retryingEintr("waitpid", "pid " + pid,
                state -> (int) WAITPID.invokeExact(state, (int) pid, status, options));
    }

    /**
     * setsid(2): makes this process the leader of a new session and of a new process group in it,
     * both numbered with its pid, with no controlling terminal: a terminal's hangup can no longer
     * reach it. Returns the new session's id.
     *
     * @throws ErrnoException EPERM when this process leads a process group already
     */
    public static int setsid() throws ErrnoException {
        return (int) Downcall.retryingEintr("setsid", "this process", state -> (int) SETSID.invokeExact(state));
    }

    /** getsid(2): the session of process {@code pid} (0: this process), which is its session leader's pid. */
    public static int getsid(long pid) throws ErrnoException {
        return (int) Downcall.retryingEintr("getsid", "pid " + pid, state -> (int) GETSID.invokeExact(state, (int) pid));
    }

    /** getpgid(2): the process group of process {@code pid} (0: this process), which is its group leader's pid. */
    public static int getpgid(long pid) throws ErrnoException {
        return (int) Downcall.retryingEintr("getpgid", "pid " + pid, state -> (int) GETPGID.invokeExact(state, (int) pid));
    }

    /**
     * killpg(3): sends {@code signal} to every process in process group {@code pgid}, which is what
     * {@code kill(-pgid, signal)} does (glibc's killpg is exactly that call). Signal 0 sends nothing
     * and asks whether any member is left.
     *
     * @throws ErrnoException ESRCH when no process is left in the group
     */
    public static void killpg(long pgid, int signal) throws ErrnoException {
        Downcall.retryingEintr("killpg", "process group " + pgid + ", signal " + signal,
                state -> (int) KILLPG.invokeExact(state, (int) pgid, signal));
    }

    /**
     * umask(2): sets the permission bits that every file this process creates from now on will
     * lack (077: none for group and others), and returns the previous mask. It belongs to the whole
     * process, every thread, and is inherited by children. It cannot fail.
     */
    public static int umask(int mask) {
        return Downcall.cannotFail("umask", () -> (int) UMASK.invokeExact(mask));
    }

    /**
     * sysconf(3): a value of the running system, such as {@link #_SC_CLK_TCK} or {@link #_SC_PAGESIZE},
     * which are always defined on Linux.
     *
     * @throws ErrnoException EINVAL for a name the C library does not know
     */
    public static long sysconf(int name) throws ErrnoException {
        return Downcall.retryingEintr("sysconf", "name " + name, state -> (long) SYSCONF.invokeExact(state, name));
    }

    /**
     * kcmp(2): compares a kernel object of two processes. With {@link #KCMP_FILE} it answers whether
     * descriptor {@code fd1} of {@code pid1} and {@code fd2} of {@code pid2} refer to the same open file
     * description: 0 means the same; 1 or 2 mean different (ordered by kernel address); 3 means not comparable.
     */
    public static int kcmp(long pid1, long pid2, int type, long fd1, long fd2) throws ErrnoException {
        return (int) Downcall.retryingEintr("kcmp", "pid " + pid1 + " fd " + fd1 + ", pid " + pid2 + " fd " + fd2,
                state -> (long) SYSCALL5.invokeExact(state, SYS_KCMP, pid1, pid2, (long) type, fd1, fd2));
    }

    /** strerror(3): the C library's text for an errno number. */
    public static String strerror(int code) {
        MemorySegment text = Downcall.cannotFail("strerror", () -> (MemorySegment) STRERROR.invokeExact(code));
        // The C string's length is not known to Java: 256 bytes is more than any of glibc's texts needs.
        return text.reinterpret(256).getString(0);
    }
}
