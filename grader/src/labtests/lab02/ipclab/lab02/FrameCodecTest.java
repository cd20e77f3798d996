package ipclab.lab02;

import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.everyByteValue;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    @Test
    @Graded(points = 6, handout = "Step 8: A framed message channel")
    @DisplayName("FrameCodec writes a 4-byte big-endian length and the payload, reads frames however the bytes arrive, and tells a clean end from a broken frame")
    void framesRoundTripAndBrokenFramesAreRefused() throws Exception {
        byte[] every = everyByteValue(256);
        byte[] empty = new byte[0];
        byte[] big = randomBytes(100_000, 8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameCodec.write(out, every);
        FrameCodec.write(out, empty);
        FrameCodec.write(out, big);
        byte[] wire = out.toByteArray();

        assertThat(wire.length).as("three frames: 4 + 256, 4 + 0 and 4 + 100000 bytes").isEqualTo(4 + 256 + 4 + 4 + 100_000);
        assertThat(Arrays.copyOfRange(wire, 0, 4))
                .as("the length 256 as 4 bytes, most significant first (big-endian): 00 00 01 00")
                .containsExactly(0, 0, 1, 0);
        assertThat(Arrays.copyOfRange(wire, 4, 260)).as("the payload follows the length unchanged").isEqualTo(every);
        assertThat(Arrays.copyOfRange(wire, 260, 264)).as("an empty payload: length 0, nothing after it").containsExactly(0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(wire, 264, 268))
                .as("the length 100000 = 0x000186A0, big-endian").containsExactly(0x00, 0x01, 0x86, 0xA0);

        // A pipe hands over bytes in pieces of any size: read them a few at a time.
        InputStream in = new Trickle(wire);
        assertThat(FrameCodec.read(in)).as("the first frame back, though it arrives 3 bytes per read").isEqualTo(every);
        assertThat(FrameCodec.read(in)).as("the empty frame back (an empty array, not null: null means end of stream)").isEqualTo(empty);
        assertSameBytes(FrameCodec.read(in), big, "the 100000-byte frame back");
        assertThat(FrameCodec.read(in)).as("at the end of the stream, between frames, read should return null").isNull();

        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(new byte[] {0, 0})))
                .as("a stream that ends after 2 of the 4 length bytes ended inside a frame: FrameException")
                .isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 10, 1, 2, 3})))
                .as("a stream that ends after 3 of a frame's 10 payload bytes: FrameException")
                .isInstanceOf(FrameException.class);
        int tooLong = FrameCodec.MAX_FRAME_BYTES + 1;
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(
                new byte[] {(byte) (tooLong >>> 24), (byte) (tooLong >>> 16), (byte) (tooLong >>> 8), (byte) tooLong})))
                .as("a length of MAX_FRAME_BYTES + 1 must be refused before reading (or allocating) the payload")
                .isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})))
                .as("a length prefix of ff ff ff ff (negative as an int) must be refused")
                .isInstanceOf(FrameException.class);
        assertThatThrownBy(() -> FrameCodec.write(OutputStream.nullOutputStream(), new byte[FrameCodec.MAX_FRAME_BYTES + 1]))
                .as("write should refuse a payload longer than MAX_FRAME_BYTES: the reader would refuse it anyway")
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** An input stream that hands out at most 3 bytes per read, as a pipe may. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream bytes;

        Trickle(byte[] data) {
            bytes = new ByteArrayInputStream(data);
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return bytes.read(b, off, Math.min(len, 3));
        }
    }
}
