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
        if (kind == SocketKind.TCP_LOOPBACK) {
            return loopbackTcpPair();
        }
        int[] fds = SocketCalls.socketpair(kind.unixType());
        return new EndpointPair(Endpoint.ofDescriptor(fds[0]), Endpoint.ofDescriptor(fds[1]));
    }

    /** TCP has no socketpair: listen on 127.0.0.1 with a port the kernel picks (port 0), connect, accept. */
    private static EndpointPair loopbackTcpPair() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(listener.getLocalAddress());
            try {
                SocketChannel accepted = listener.accept();
                // Nagle's algorithm would hold small writes back until the previous one is acknowledged.
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return new EndpointPair(Endpoint.ofChannel(client), Endpoint.ofChannel(accepted));
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
        }
    }

    /** Sends each message with exactly one {@link Endpoint#send}: one write(2) per message. */
    public static void sendEach(Endpoint from, List<byte[]> messages) throws IOException {
        for (byte[] message : messages) {
            int sent = from.send(message);
            if (sent != message.length) {
                // A loop would hide this: the message would reach the peer as two writes.
                throw new IllegalStateException("write(2) took " + sent + " of " + message.length + " bytes of a message");
            }
        }
    }

    /**
     * Receives until {@code totalBytes} have arrived and returns what each {@link Endpoint#receive}
     * (each read(2)) returned, one element per call.
     *
     * @throws EOFException when the peer closes before that many bytes arrived
     */
    public static List<byte[]> receive(Endpoint to, int totalBytes) throws IOException {
        List<byte[]> reads = new ArrayList<>();
        byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        int received = 0;
        while (received < totalBytes) {
            int n = to.receive(buffer);
            if (n == 0) {
                throw new EOFException("the peer closed after " + received + " of " + totalBytes + " bytes");
            }
            reads.add(Arrays.copyOf(buffer, n));
            received += n;
        }
        return reads;
    }
}
