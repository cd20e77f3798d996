package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static final String STEP = "Step 1: Lines";
    /** Two reads' worth: "a", "bcd" (with a two-byte character), an empty line, and "e" still open. */
    private static final byte[] STREAM = "a\nbcé\n\ne".getBytes(StandardCharsets.UTF_8);

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("lines come out whole however the bytes are cut: fed at once, byte by byte, in random chunks; the tail waits")
    void splitsAcrossReads() throws Exception {
        assertThat(feedInChunks(new int[] {STREAM.length})).as("all bytes in one feed").containsExactly("a", "bcé", "");
        int[] bytewise = new int[STREAM.length];
        java.util.Arrays.fill(bytewise, 1);
        assertThat(feedInChunks(bytewise)).as("one byte per feed: the 'é' is cut in two between feeds").containsExactly("a", "bcé", "");
        Random random = new Random(9);
        for (int round = 0; round < 50; round++) {
            List<Integer> cuts = new ArrayList<>();
            for (int left = STREAM.length; left > 0; ) {
                int size = 1 + random.nextInt(Math.min(4, left));
                cuts.add(size);
                left -= size;
            }
            assertThat(feedInChunks(cuts.stream().mapToInt(Integer::intValue).toArray()))
                    .as("fed in chunks of %s", cuts).containsExactly("a", "bcé", "");
        }
        LineSplitter splitter = new LineSplitter(64);
        splitter.feed(STREAM, 0, STREAM.length);
        assertThat(splitter.hasPartialLine()).as("\"e\" has no '\\n' yet: it waits for the next feed").isTrue();
        assertThat(texts(splitter.feed("\n".getBytes(StandardCharsets.UTF_8), 0, 1))).as("its '\\n' completes it").containsExactly("e");
        assertThat(splitter.hasPartialLine()).as("nothing waits after a line's end").isFalse();
        byte[] framed = "xx\nyy\nzz".getBytes(StandardCharsets.UTF_8);
        assertThat(texts(new LineSplitter(64).feed(framed, 3, 3))).as("feed(bytes, offset, length) reads only that slice").containsExactly("yy");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a line longer than the limit is refused, across feeds too, with an error naming the limit")
    void refusesOverlongLine() throws Exception {
        byte[] sixteen = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        assertThat(texts(new LineSplitter(16).feed((new String(sixteen, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8), 0, 17)))
                .as("a line of exactly the limit (16 bytes) is fine").hasSize(1);
        LineSplitter splitter = new LineSplitter(16);
        splitter.feed(sixteen, 0, 16);
        assertThatThrownBy(() -> splitter.feed(new byte[] {'x'}, 0, 1))
                .as("16 bytes waited; a 17th in the next feed passes the limit")
                .isInstanceOf(ProtocolException.class).hasMessageContaining("16").hasMessageContaining("maxLineBytes");
    }

    private static List<String> feedInChunks(int[] sizes) throws Exception {
        LineSplitter splitter = new LineSplitter(64);
        List<String> lines = new ArrayList<>();
        int offset = 0;
        for (int size : sizes) {
            lines.addAll(texts(splitter.feed(STREAM, offset, size)));
            offset += size;
        }
        return lines;
    }

    private static List<String> texts(List<byte[]> lines) {
        return lines.stream().map(line -> new String(line, StandardCharsets.UTF_8)).toList();
    }
}
