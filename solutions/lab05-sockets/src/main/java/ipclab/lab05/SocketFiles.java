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
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return PathState.ABSENT;
        }
        if (!isSocketFile(path)) {
            return PathState.NOT_A_SOCKET;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return PathState.LIVE;
        } catch (ConnectException refused) {
            // ECONNREFUSED: the file is there but no socket listens on it any more.
            return PathState.STALE;
        }
    }

    /**
     * A listening socket bound to {@code path}. A stale socket file there is removed and replaced;
     * a live one is left alone ({@link SocketInUseException}); a file that is not a socket is never
     * removed ({@link FileAlreadyExistsException}).
     */
    public static ServerSocketChannel listen(Path path) throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                server.bind(address, BACKLOG);
                return server;
            } catch (BindException inUse) {
                // EADDRINUSE: something exists at the path. Find out what before touching it.
                switch (probe(path)) {
                    case LIVE -> throw new SocketInUseException(path);
                    case NOT_A_SOCKET -> throw new FileAlreadyExistsException(path.toString(), null,
                            "bind(2) needs to create a socket file here, and this file is not a socket: refusing to remove it");
                    case STALE -> Files.delete(path);
                    case ABSENT -> { } // removed in the meantime: just try again
                }
                server.bind(address, BACKLOG);
                return server;
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** {@code true} when {@code path} is a socket file (file type S_IFSOCK in its mode, as {@code ls -l} shows with "s"). */
    static boolean isSocketFile(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }
}
