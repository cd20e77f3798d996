package ipclab.support;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChannelDescriptorTest {

    @Test
    @DisplayName("numberOf gives the descriptor that /proc/self/fd shows for the channel's socket")
    void numberOfASocket() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();

            int fd = ChannelDescriptor.numberOf(listener);

            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            assertThat(link).startsWith("socket:[");
            String inode = link.substring("socket:[".length(), link.length() - 1);
            assertThat(inodeListeningOn(port)).as("the inode /proc/net/tcp lists for port %d", port).isEqualTo(inode);
        }
    }

    @Test
    @DisplayName("of gives a FileDescriptor for the same open file: bytes written to it come out of the pipe")
    void ofAPipe() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            // Not closed here: the channel owns the descriptor.
            new FileOutputStream(ChannelDescriptor.of(sink)).write("hi".getBytes(US_ASCII));
            ByteBuffer read = ByteBuffer.allocate(8);
            source.read(read);
            assertThat(new String(read.array(), 0, read.position(), US_ASCII)).isEqualTo("hi");

            String sourceLink = Files.readSymbolicLink(Path.of("/proc/self/fd/" + ChannelDescriptor.numberOf(source))).toString();
            String sinkLink = Files.readSymbolicLink(Path.of("/proc/self/fd/" + ChannelDescriptor.numberOf(sink))).toString();
            assertThat(sinkLink).startsWith("pipe:[").as("both ends of one pipe").isEqualTo(sourceLink);
        }
    }

    @Test
    @DisplayName("a channel that is not one of the JDK's socket or pipe channels is refused")
    void otherChannelsAreRefused() {
        Channel notTheJdks = new Channel() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> ChannelDescriptor.numberOf(notTheJdks))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a socket or pipe channel");
    }

    /** The inode of the socket listening on {@code port}, from the kernel's table of TCP sockets. */
    private static String inodeListeningOn(int port) throws IOException {
        String local = String.format(":%04X", port);
        List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (String line : lines.subList(1, lines.size())) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            String[] fields = line.trim().split("\\s+");
            if (fields[1].endsWith(local) && fields[3].equals("0A")) { // 0A: TCP_LISTEN
                return fields[9];
            }
        }
        return "none";
    }
}
