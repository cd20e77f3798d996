package ipclab.lab05;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Who is on the other end of a Unix socket. When a client connects, the kernel records its pid,
 * uid and gid on the connection; the server asks with getsockopt(SO_PEERCRED). No password, no
 * token: the kernel vouches for them, which is how local daemons (systemd, Docker, pm2) decide whom
 * to serve.
 */
public final class PeerCredentials {

    private PeerCredentials() {
    }

    /** The peer's pid, uid and gid, through junixsocket's getsockopt(SO_PEERCRED). */
    public static Peer of(AFUNIXSocketChannel channel) throws IOException {
        throw new UnsupportedOperationException("TODO: getsockopt(SO_PEERCRED) via channel.getPeerCredentials(): pid, uid, gid into a Peer");
    }

    /** The peer's user and group through the JDK's own SO_PEERCRED option, which does not tell the pid. */
    public static UnixDomainPrincipal principal(SocketChannel channel) throws IOException {
        throw new UnsupportedOperationException("TODO: getsockopt(SO_PEERCRED) via channel.getOption(ExtendedSocketOptions.SO_PEERCRED)");
    }
}
