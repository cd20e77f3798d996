package ipclab.lab05;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A Unix domain socket with a name in the file system. bind(2) creates a socket file at the path;
 * clients connect(2) to the path. The kernel never removes that file: not when the server closes
 * the socket, not when it crashes. The next server to bind there gets EADDRINUSE, so it must tell a
 * <em>stale</em> file (nobody listens: connect(2) is refused) from a <em>live</em> one (a server is
 * running, and its name must not be stolen).
 */
public final class SocketFiles {

    /** How many connections may wait for accept(2): enough for a burst of a few hundred clients. */
    public static final int BACKLOG = 512;

    private SocketFiles() {
    }

    /**
     * What is at {@code path}: nothing, a live socket, a stale socket, or a file that is not a socket.
     * A socket file is probed by connecting to it; the probe connection is closed at once.
     */
    public static PathState probe(Path path) throws IOException {
        throw new UnsupportedOperationException("TODO: ABSENT if nothing is there, NOT_A_SOCKET if isSocketFile is false; else connect(2) with SocketChannel.open: LIVE, or STALE on ConnectException (ECONNREFUSED)");
    }

    /**
     * A listening socket bound to {@code path}. A stale socket file there is removed and replaced;
     * a live one is left alone ({@link SocketInUseException}); a file that is not a socket is never
     * removed ({@link FileAlreadyExistsException}).
     */
    public static ServerSocketChannel listen(Path path) throws IOException {
        throw new UnsupportedOperationException("TODO: bind(2) a ServerSocketChannel (UNIX) to the path; on BindException (EADDRINUSE) probe: STALE -> delete and bind again, LIVE -> SocketInUseException, NOT_A_SOCKET -> FileAlreadyExistsException");
    }

    /** {@code true} when {@code path} is a socket file (file type S_IFSOCK in its mode, as {@code ls -l} shows with "s"). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }
}
