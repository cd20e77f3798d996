package ipclab.lab09;

import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.ChannelDescriptor;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.net.Accepts;
import ipclab.support.net.Sockets;
import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A Java child for a Node parent ({@code ./ipclab node-child}): this lab's {@link Channel} on the
 * descriptor Node gives a child spawned with an {@code 'ipc'} entry in its {@code stdio}. It
 * <ul>
 *   <li>answers every message {@code m} with {@code {"echo": m}};</li>
 *   <li>writes {@code handled by java-<pid>\n} to every connected socket that comes with a message
 *       (Node's {@code net.Socket}), and closes it; on a listening one ({@code net.Server}) it
 *       accepts, and answers each connection the same way;</li>
 *   <li>for {@code {"give": "server"}}, opens a listener on 127.0.0.1 and sends it to the parent with
 *       {@code {"server": port}}: Node's side gets a {@code net.Server} that listens on it;</li>
 *   <li>exits 0 when the channel closes: the parent disconnected, or died; 1, with the reason on
 *       stderr, when the parent broke the protocol (a line longer than {@link ChannelOptions#maxLineBytes()}).</li>
 * </ul>
 * {@code docs/bench/node_interop.js} is such a parent. Given code.
 */
public final class NodeChild {

    private final Channel channel;
    private final byte[] answer = ("handled by java-" + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);

    private NodeChild(Channel channel) {
        this.channel = channel;
    }

    public static void main(String[] args) throws Exception {
        // Not fromEnvironment(): its default exits 87 on the parent's EOF; a Node child exits 0 on disconnect.
        Channel channel = Channel.fromEnvironment(ChannelOptions.defaults());
        NodeChild child = new NodeChild(channel);
        // A peer that broke the protocol is no disconnect: say what it sent, and exit 1, not 0.
        channel.onMessage(child::onMessage)
                .onError(e -> {
                    System.err.println("node-child: " + e.getMessage());
                    System.exit(1);
                })
                .onDisconnect(() -> System.exit(0)).start();
        channel.whenClosed().get();
    }

    /**
     * On the loop: serve the socket that came with it, if any, then echo. In that order: the socket
     * was acked, so it is ours alone; the echo may find the channel gone (a parent that disconnected
     * right after the ack), and then the disconnect listener exits inside that send.
     */
    private void onMessage(Message message) {
        try {
            if (message.handle().isPresent()) {
                serve(Descriptors.number(message.handle().get()));
            }
            ObjectNode echo = Envelope.JSON.createObjectNode();
            echo.set("echo", message.body());
            channel.send(echo);
            if ("server".equals(message.body().path("give").asText())) {
                giveServer();
            }
        } catch (IOException e) {
            System.err.println("node-child: " + e.getMessage());
        }
    }

    /** A connection is answered and closed; a listener is watched, and each connection it accepts answered. */
    private void serve(int fd) throws ErrnoException {
        if (Sockets.intOption(fd, Sockets.SO_ACCEPTCONN) == 0) {
            answer(fd);
            return;
        }
        // Node's listener is non-blocking already (libuv made it so; the flag belongs to the open file, which we share).
        channel.loop().watch(fd, EventLoop.READABLE, (watch, events) -> {
            for (int connection; (connection = Accepts.next(watch, 0)) >= 0; ) {
                answer(connection);
            }
        });
    }

    /** A fresh connection's send buffer takes these few bytes at once: the write does not wait. */
    private void answer(int fd) {
        try {
            Libc.write(fd, answer, 0, answer.length);
        } catch (ErrnoException e) {
            System.err.println("node-child: answering fd " + fd + ": " + e.getMessage());
        }
        Libc.closeQuietly(fd, "node-child");
    }

    /** A listener of ours to the parent; our copy is closed once the parent has its own (the ack). */
    private void giveServer() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        FileDescriptor fd = Descriptors.of(ChannelDescriptor.numberOf(server));
        channel.send(Envelope.JSON.createObjectNode().put("server", port), fd).whenComplete((acked, failed) -> {
            try {
                server.close();
            } catch (IOException e) {
                System.err.println("node-child: closing our copy of the listener: " + e.getMessage());
            }
        });
    }
}
