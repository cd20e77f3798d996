package ipclab.lab08;

import java.io.FileDescriptor;
import java.io.IOException;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Turns a received descriptor into something Java can use. A descriptor is only a number: what it
 * can do depends on the open file description behind it, which the sender made.
 *
 * <p>The JDK cannot wrap a descriptor number in a socket channel, junixsocket can
 * ({@code FileDescriptorCast}). One catch on the <em>sending</em> side: junixsocket's {@code close()}
 * calls shutdown(2) first, and shutdown acts on the socket, not on one descriptor, so every process
 * holding it is cut off. Sockets you mean to pass on are best made with the JDK, whose close() is a
 * plain close(2); {@link Descriptors#of(java.nio.channels.Channel)} gives you their descriptor.
 */
public final class Handles {

    private Handles() {
    }

    /** A connected Unix domain socket we received: read and write on it as on our own. */
    public static AFUNIXSocketChannel asSocket(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(AFUNIXSocketChannel.class);
    }

    /** A listening Unix domain socket we received: accept(2) on it takes the next waiting client. */
    public static AFUNIXServerSocketChannel asListener(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(AFUNIXServerSocketChannel.class);
    }
}
