package ipclab.lab05;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which kinds of socket keep message boundaries: send several messages, each with one write(2),
 * then see what each read(2) returns. A stream may hand back several writes in one read; datagram
 * and seqpacket sockets return exactly one message per read.
 */
public final class Boundaries {

    /** Larger than any message the lab sends, so a datagram is never truncated by a small buffer. */
    static final int RECEIVE_BUFFER_BYTES = 64 * 1024;

    private Boundaries() {
    }

    /** Two connected endpoints of {@code kind}: a socketpair(2) for the Unix kinds, a loopback connection for TCP. */
    public static EndpointPair pair(SocketKind kind) throws IOException {
        throw new UnsupportedOperationException("TODO: socketpair(2) via SocketCalls.socketpair(kind.unixType()) wrapped with Endpoint.ofDescriptor; for TCP_LOOPBACK, loopbackTcpPair()");
    }

    /** TCP has no socketpair: listen on 127.0.0.1 with a port the kernel picks (port 0), connect, accept. */
    private static EndpointPair loopbackTcpPair() throws IOException {
        throw new UnsupportedOperationException("TODO: listen on 127.0.0.1 port 0, connect(2) to it, accept(2), close the listener; TCP_NODELAY on both ends; Endpoint.ofChannel");
    }

    /** Sends each message with exactly one {@link Endpoint#send}: one write(2) per message. */
    public static void sendEach(Endpoint from, List<byte[]> messages) throws IOException {
        throw new UnsupportedOperationException("TODO: one send (one write(2)) per message; IllegalStateException if it took fewer bytes than the message");
    }

    /**
     * Receives until {@code totalBytes} have arrived and returns what each {@link Endpoint#receive}
     * (each read(2)) returned, one element per call.
     *
     * @throws EOFException when the peer closes before that many bytes arrived
     */
    public static List<byte[]> receive(Endpoint to, int totalBytes) throws IOException {
        throw new UnsupportedOperationException("TODO: receive (one read(2) each) into a RECEIVE_BUFFER_BYTES buffer until totalBytes arrived; one list element per read; EOFException at 0");
    }
}
