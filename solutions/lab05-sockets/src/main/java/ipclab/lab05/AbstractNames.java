package ipclab.lab05;

import java.io.IOException;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Unix sockets named in Linux's <em>abstract namespace</em>: the name starts with a 0 byte, lives
 * only in the kernel, and creates no file. It disappears the moment the last socket bound to it is
 * closed, so there is never a stale name to clean up. {@code ss -xl} and {@code /proc/net/unix}
 * show such names with a leading {@code @}.
 */
public final class AbstractNames {

    private AbstractNames() {
    }

    /** A listening socket bound to the abstract name {@code name} (without the leading 0 byte). */
    public static AFUNIXServerSocketChannel listen(String name) throws IOException {
        AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
        try {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(name), SocketFiles.BACKLOG);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A socket connected to the server listening on the abstract name {@code name}. */
    public static AFUNIXSocketChannel connect(String name) throws IOException {
        return AFUNIXSocketChannel.open(AFUNIXSocketAddress.inAbstractNamespace(name));
    }
}
