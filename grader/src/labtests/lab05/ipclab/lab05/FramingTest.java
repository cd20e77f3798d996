package ipclab.lab05;

import static ipclab.testkit.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.Bytes;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramingTest {

    private static final String STEP = "Step 4: Frames over a stream";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A channel of the test's own, open until the test drops it: there is nothing to close. */
    abstract static class AlwaysOpen implements Channel {
        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** A channel that takes at most a few bytes per write, as a full socket buffer would. */
    static final class StingyWriter extends AlwaysOpen implements WritableByteChannel {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        final Random random = new Random(1);
        int calls;

        @Override
        public int write(ByteBuffer src) {
            calls++;
            int n = Math.min(src.remaining(), 1 + random.nextInt(4096));
            for (int i = 0; i < n; i++) {
                taken.write(src.get());
            }
            return n;
        }
    }

    /** A channel that returns at most a few bytes per read, as a stream socket may. */
    static final class StingyReader extends AlwaysOpen implements ReadableByteChannel {
        final ByteBuffer data;
        final Random random = new Random(2);

        StingyReader(byte[] bytes) {
            data = ByteBuffer.wrap(bytes);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!data.hasRemaining()) {
                return -1;
            }
            int n = Math.min(Math.min(dst.remaining(), data.remaining()), 1 + random.nextInt(7));
            for (int i = 0; i < n; i++) {
                dst.put(data.get());
            }
            return n;
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("frames survive partial writes and reads of a few bytes; a broken or oversized frame is a FrameException")
    void framesSurvivePartialReadsAndWrites() throws Exception {
        byte[] big = Bytes.randomBytes(1024 * 1024, 3);
        StingyWriter out = new StingyWriter();
        Framing.write(out, big);
        Framing.write(out, new byte[0]);
        Framing.write(out, "tail".getBytes());
        byte[] stream = out.taken.toByteArray();
        assertThat(stream.length).as("three frames: 3 length prefixes of 4 bytes plus the payloads; write must loop over"
                + " partial writes (the channel took at most 4096 bytes per call)").isEqualTo(12 + big.length + 4);
        assertThat(ByteBuffer.wrap(stream).getInt(0)).as("the length prefix, 4 bytes big-endian").isEqualTo(big.length);

        StingyReader in = new StingyReader(stream);
        assertSameBytes(Framing.read(in), big, "a 1 MiB frame read through reads of 1 to 7 bytes");
        assertThat(Framing.read(in)).as("an empty frame").isEmpty();
        assertThat(Framing.read(in)).as("the last frame").isEqualTo("tail".getBytes());
        assertThat(Framing.read(in)).as("at a clean end of stream, between frames, read returns null").isNull();

        assertThatThrownBy(() -> Framing.read(new StingyReader(new byte[] {0, 0})))
                .as("a stream that ends inside a length prefix").isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> Framing.read(new StingyReader(new byte[] {0, 0, 0, 10, 1, 2, 3})))
                .as("a stream that ends inside a payload").isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> Framing.read(new StingyReader(new byte[] {(byte) 0x7f, 0, 0, 0, 1})))
                .as("a length prefix above MAX_FRAME_BYTES must be refused before allocating it").isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> Framing.write(new StingyWriter(), new byte[Framing.MAX_FRAME_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("1 MiB frames echo through a child JVM over a Unix socket and over TCP; a frame written one byte at a time arrives whole")
    void framesBetweenProcesses() throws Exception {
        List<byte[]> frames = List.of(Bytes.randomBytes(1024 * 1024, 5), new byte[0], Bytes.randomBytes(1024 * 1024 + 3, 6));
        Path path = dir.resolve("frames.sock");
        try (ServerSocketChannel unix = TestKit.rawListener(path);
             ServerSocketChannel tcp = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String port = Integer.toString(((InetSocketAddress) tcp.getLocalAddress()).getPort());
            for (String[] target : List.of(new String[] {"unix", path.toString()}, new String[] {"tcp", port})) {
                ServerSocketChannel listener = target[0].equals("unix") ? unix : tcp;
                try (ChildProcess child = ChildJvm.main(TestChild.class).args("frame-echo", target[0], target[1]).start();
                     SocketChannel peer = TestKit.acceptWithin(listener, DEADLINE, "the echo child did not connect")) {
                    Await.within(DEADLINE, "the frame echo over " + target[0] + " got stuck: does write loop until every"
                            + " byte is out, and read until the whole payload is in?", () -> {
                        for (byte[] frame : frames) {
                            Framing.write(peer, frame);
                            byte[] echo = Framing.read(peer);
                            assertThat(echo).as("the child closed the connection instead of echoing a %d-byte frame over %s"
                                    + " (its errors are on stderr)", frame.length, target[0]).isNotNull();
                            assertSameBytes(echo, frame, "the echo over " + target[0] + " of a " + frame.length + "-byte frame");
                        }
                        peer.shutdownOutput(); // end of stream: the child's read returns null and it exits
                        assertThat(Framing.read(peer)).as("after the child has closed, read returns null").isNull();
                        return null;
                    });
                    assertThat(child.waitFor(DEADLINE)).as("the echo child's exit status").isZero();
                }
            }
            int size = 64 * 1024;
            try (ChildProcess child = ChildJvm.main(TestChild.class).args("trickle", path.toString(), Integer.toString(size)).start();
                 SocketChannel peer = TestKit.acceptWithin(unix, DEADLINE, "the trickling child did not connect")) {
                byte[] frame = Await.within(DEADLINE, "the frame written one byte at a time never arrived", () -> Framing.read(peer));
                byte[] expected = new byte[size];
                for (int i = 0; i < size; i++) {
                    expected[i] = (byte) (i * 31);
                }
                assertSameBytes(frame, expected, "a frame whose " + (size + 4) + " bytes came one write(2) each");
                assertThat(Framing.read(peer)).as("the child closed after its one frame").isNull();
                assertThat(child.waitFor(DEADLINE)).isZero();
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
