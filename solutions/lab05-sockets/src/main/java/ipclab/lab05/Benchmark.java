package ipclab.lab05;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * Ping-pong of 100-byte messages between two JVMs over three kinds of connected stream socket: a
 * Unix domain socket through the JDK ({@code UnixDomainSocketAddress}), the same through
 * junixsocket, and TCP over the loopback interface. One {@link RoundTripReport} line each.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    static final int MESSAGE_BYTES = 100;
    private static final Duration ACCEPT_DEADLINE = Duration.ofSeconds(30);

    private Benchmark() {
    }

    /** The three transports; the responder gets the name and connects the same way. */
    enum Transport {
        JDK_UNIX("unix stream, JDK NIO"),
        JUNIXSOCKET("unix stream, junixsocket"),
        TCP_LOOPBACK("tcp 127.0.0.1");

        final String label;

        Transport(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Path dir = Files.createTempDirectory("ipclab-lab05-bench-");
        try {
            for (Transport transport : Transport.values()) {
                System.out.println(measure(transport, dir, options));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static RoundTripReport measure(Transport transport, Path dir, BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport(transport.label, MESSAGE_BYTES);
        Path socketPath = dir.resolve(transport.name().toLowerCase() + ".sock");
        try (ServerSocketChannel listener = listen(transport, socketPath)) {
            String address = switch (transport) {
                case TCP_LOOPBACK -> Integer.toString(((InetSocketAddress) listener.getLocalAddress()).getPort());
                default -> socketPath.toString();
            };
            try (ChildProcess child = ChildJvm.main(Responder.class).args(transport.name(), address).start();
                 SocketChannel peer = acceptWithin(listener, ACCEPT_DEADLINE, child)) {
                if (transport == Transport.TCP_LOOPBACK) {
                    peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                ByteBuffer ping = ByteBuffer.allocateDirect(MESSAGE_BYTES);
                ByteBuffer pong = ByteBuffer.allocateDirect(MESSAGE_BYTES);
                report.measure(options, i -> roundTrip(i, peer, ping, pong));
                peer.shutdownOutput(); // end of stream: the responder exits
                int status = child.waitFor(Duration.ofSeconds(10));
                if (status != 0) {
                    throw new IllegalStateException("the " + transport + " responder exited with status " + status);
                }
            }
        } finally {
            Files.deleteIfExists(socketPath); // closing a listener never removes its socket file
        }
        return report;
    }

    private static ServerSocketChannel listen(Transport transport, Path path) throws IOException {
        return switch (transport) {
            case JDK_UNIX -> ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
            case JUNIXSOCKET -> AFUNIXServerSocketChannel.open().bind(AFUNIXSocketAddress.of(path));
            case TCP_LOOPBACK -> ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        };
    }

    /** accept(2), but never waits for ever: a responder that failed to start would hang the benchmark. */
    private static SocketChannel acceptWithin(ServerSocketChannel listener, Duration deadline, ChildProcess child) throws IOException {
        listener.configureBlocking(false);
        // The channel's own provider: junixsocket's channels need junixsocket's selector.
        try (Selector selector = listener.provider().openSelector()) {
            listener.register(selector, SelectionKey.OP_ACCEPT);
            if (selector.select(deadline.toMillis()) == 0) {
                throw new IOException(child + " did not connect within " + deadline);
            }
            SocketChannel peer = listener.accept();
            peer.configureBlocking(true);
            return peer;
        }
    }

    /** One round trip; the message carries its number, so a wrong or stale reply is noticed. */
    private static void roundTrip(int number, ByteChannel peer, ByteBuffer ping, ByteBuffer pong) throws IOException {
        ping.clear().putInt(0, number);
        while (ping.hasRemaining()) {
            peer.write(ping);
        }
        pong.clear();
        while (pong.hasRemaining()) {
            if (peer.read(pong) < 0) {
                throw new IOException("the responder closed the connection in the middle of round trip " + number);
            }
        }
        if (pong.getInt(0) != number) {
            throw new IOException("round trip " + number + " came back with the wrong message");
        }
    }


    /** The child: connects back and echoes every 100-byte message until the stream ends. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws IOException {
            Transport transport = Transport.valueOf(args[0]);
            SocketAddress address = switch (transport) {
                case JDK_UNIX -> UnixDomainSocketAddress.of(args[1]);
                case JUNIXSOCKET -> AFUNIXSocketAddress.of(Path.of(args[1]));
                case TCP_LOOPBACK -> new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
            };
            try (SocketChannel peer = transport == Transport.JUNIXSOCKET
                    ? AFUNIXSocketChannel.open(address) : SocketChannel.open(address)) {
                if (transport == Transport.TCP_LOOPBACK) {
                    peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                ByteBuffer message = ByteBuffer.allocateDirect(MESSAGE_BYTES);
                while (true) {
                    message.clear();
                    while (message.hasRemaining()) {
                        if (peer.read(message) < 0) {
                            return; // the benchmark is done
                        }
                    }
                    message.flip();
                    while (message.hasRemaining()) {
                        peer.write(message);
                    }
                }
            }
        }
    }
}
