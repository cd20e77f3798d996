package ipclab.lab09;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A child that speaks to the channel's socket with plain junixsocket, not the lab's Channel: to
 * misbehave on purpose. {@code RawChild MODE [ARGS]}. After its part it reads until EOF, then exits 0.
 */
public final class RawChild {

    private RawChild() {
    }

    public static void main(String[] args) throws Exception {
        String path = System.getenv(Channel.ENVIRONMENT_VARIABLE);
        try (AFUNIXSocketChannel socket = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(Path.of(path)))) {
            socket.socket().setAncillaryReceiveBufferSize(1024);
            switch (args[0]) {
                case "never-ack" -> neverAck(socket);
                case "not-json" -> write(socket, "this is not json\n");
                case "no-envelope" -> write(socket, "{\"hello\":\"world\"}\n");
                case "oversized" -> write(socket, "x".repeat(Integer.parseInt(args[1])));
                case "stray-descriptor" -> {
                    try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                        socket.setOutboundFileDescriptors(devNull.getFD());
                        write(socket, "{\"kind\":\"message\",\"seq\":1,\"handle\":false,\"body\":{\"surprise\":true}}\n");
                        socket.setOutboundFileDescriptors((FileDescriptor[]) null);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
            TestChild.say("sent");
            readToEnd(socket);
        }
    }

    /** Reports every line and the descriptors that came with it, and never sends an ack. */
    private static void neverAck(AFUNIXSocketChannel socket) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        StringBuilder partial = new StringBuilder();
        int descriptors = 0;
        while (socket.read(buffer.clear()) >= 0) {
            FileDescriptor[] fds = socket.getReceivedFileDescriptors();
            if (fds != null) {
                for (FileDescriptor fd : fds) {
                    new FileInputStream(fd).close();
                }
                descriptors += fds.length;
            }
            partial.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, end);
                partial.delete(0, end + 1);
                TestChild.say("line " + line + " descriptors " + descriptors);
                descriptors = 0;
            }
        }
    }

    private static void write(AFUNIXSocketChannel socket, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    private static void readToEnd(AFUNIXSocketChannel socket) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (socket.read(buffer.clear()) >= 0) {
            // Discard: we only wait for the other side to close.
        }
    }
}
