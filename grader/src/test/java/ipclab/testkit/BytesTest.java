package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Libc;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bytes: test data and a short comparison")
class BytesTest {

    @Test
    @DisplayName("random bytes repeat for a seed; every byte value comes round in order")
    void data() {
        assertThat(Bytes.randomBytes(1000, 7)).isEqualTo(Bytes.randomBytes(1000, 7)).isNotEqualTo(Bytes.randomBytes(1000, 8));
        byte[] every = Bytes.everyByteValue(300);
        assertThat(every[0]).isZero();
        assertThat(every[255]).isEqualTo((byte) 0xff);
        assertThat(every[256]).isZero();
    }

    @Test
    @DisplayName("two arrays that differ fail with their lengths and the first difference, not their contents")
    void shortFailure() {
        byte[] expected = Bytes.randomBytes(1024 * 1024, 1);
        byte[] actual = expected.clone();
        actual[1000] = (byte) (expected[1000] + 1);
        Bytes.assertSameBytes(expected.clone(), expected, "equal arrays pass");
        assertThatThrownBy(() -> Bytes.assertSameBytes(actual, expected, "the echo"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("the echo: expected 1048576 bytes, got 1048576; the first difference is at byte 1000 (expected "
                        + (expected[1000] & 0xff) + ", got " + (actual[1000] & 0xff) + ")");
        assertThatThrownBy(() -> Bytes.assertSameBytes(Arrays.copyOf(expected, 10), expected, "a short read"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("a short read: expected 1048576 bytes, got 10; the first 10 bytes match");
    }

    @Test
    @DisplayName("readAll reads a descriptor to end of file, more than one read(2) holds")
    void readAll() throws Exception {
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        byte[] data = Bytes.randomBytes(200_000, 3);
        try {
            var writer = Await.onNewThread(() -> {
                try {
                    return Libc.write(pipe[1], data, 0, data.length);
                } finally {
                    Libc.close(pipe[1]);
                }
            });
            assertThat(Await.within(java.time.Duration.ofSeconds(10), "readAll never saw end of file", () -> Bytes.readAll(pipe[0])))
                    .isEqualTo(data);
            Await.await(writer, java.time.Duration.ofSeconds(10), "the writer hangs");
        } finally {
            Libc.close(pipe[0]);
        }
    }
}
