package ipclab.lab09;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Sockets;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.newsclub.net.unix.FileDescriptorCast;

/** Between Java's {@link FileDescriptor} objects and the kernel's descriptor numbers (as in lab 08). */
public final class Descriptors {

    /** The file type bits of {@code st_mode} ({@code man 7 inode}), and two of their values. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFIFO = 0010000;

    private Descriptors() {
    }

    /** The number behind a Java FileDescriptor: the index into this process's descriptor table. */
    public static int number(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(Integer.class);
    }

    /** A Java FileDescriptor for a descriptor number we own (e.g. one recvmsg installed for us). */
    public static FileDescriptor of(int fd) throws IOException {
        return FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    }

    /** dup(2): a second descriptor of ours for the same open file description; ours to close. */
    public static FileDescriptor dup(FileDescriptor fd) throws IOException {
        return of(Libc.fcntl(number(fd), Libc.F_DUPFD_CLOEXEC, 0));
    }

    /** close(2) on a descriptor that nothing else (no stream, no channel) has taken over. */
    public static void close(FileDescriptor fd) throws IOException {
        Libc.close(number(fd));
    }

    /** close(2), on a path where a failure changes nothing we could do: reported on stderr, not thrown. */
    public static void closeQuietly(FileDescriptor fd) {
        try {
            close(fd);
        } catch (IOException e) {
            System.err.println("closing a descriptor failed: " + e.getMessage());
        }
    }

    /** As {@link #closeQuietly(FileDescriptor)}, by number: a descriptor that recvmsg installed for us. */
    public static void closeQuietly(int fd) {
        Libc.closeQuietly(fd, "closing fd " + fd + " failed");
    }

    /**
     * Node's name for what {@code fd} is, as {@code send(message, handle)} writes it in a handle
     * message's {@code "type"} ({@code lib/internal/child_process.js} 796&ndash;808): a listening
     * socket is a {@code net.Server} (a Node receiver listens on it), any other stream socket a
     * {@code net.Socket}. Anything else is {@code net.Native}: a Node receiver gets the bare handle
     * libuv made of it (a pipe: a {@code Pipe}; a UDP socket: a {@code UDP}). What Node cannot take
     * at all: {@link #nodeCanTake}.
     */
    public static String nodeType(FileDescriptor fd) throws IOException {
        int number = number(fd);
        try {
            if (Sockets.intOption(number, Sockets.SO_ACCEPTCONN) != 0) {
                return "net.Server";
            }
            return Sockets.intOption(number, Sockets.SO_TYPE) == Sockets.SOCK_STREAM ? "net.Socket" : "net.Native";
        } catch (ErrnoException e) {
            return "net.Native"; // ENOTSOCK: a pipe, a file, a device
        }
    }

    /**
     * True when a Node receiver can take {@code fd}: a pipe, a stream socket, a UDP socket. libuv
     * names what arrived ({@code uv_pipe_pending_type}, {@code uv_guess_handle}). For a file, a
     * device or a terminal that is a type Node's read callback does not expect: the Node process
     * aborts on {@code CHECK_EQ(type, UV_UNKNOWN_HANDLE)} ({@code src/stream_wrap.cc},
     * {@code LibuvStreamWrap::OnUvRead}). For another socket (a Unix datagram one) it is
     * {@code UV_UNKNOWN_HANDLE}: Node nacks, but the descriptor stays in libuv's one accepted slot,
     * and every later handle on that channel is nacked too.
     */
    public static boolean nodeCanTake(FileDescriptor fd) throws IOException {
        int number = number(fd);
        int format = (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + number), "unix:mode") & S_IFMT;
        if (format != S_IFSOCK) {
            return format == S_IFIFO;
        }
        int domain = Sockets.intOption(number, Sockets.SO_DOMAIN);
        return Sockets.intOption(number, Sockets.SO_TYPE) == Sockets.SOCK_STREAM || domain == Sockets.AF_INET || domain == Sockets.AF_INET6;
    }

    /** How many descriptors this process has open now: the entries of /proc/self/fd. */
    public static int openCount() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            // Listing /proc/self/fd opens one descriptor for the directory itself; do not count it.
            return (int) entries.count() - 1;
        }
    }
}
