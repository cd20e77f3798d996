package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import ipclab.grader.api.Graded;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link LineStamper} alone, on a clock the test sets: bytes in, whole stamped lines out. */
class LineStamperTest {

    private static final String STEP = "Step 2: Whole lines, rotated files";
    private static final String STAMP_PATTERN = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ";

    /** A clock that stands still until the test moves it. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-29T10:00:01.123Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the test clock is UTC only");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static List<String> text(List<byte[]> lines) {
        return lines.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private static List<String> feed(LineStamper stamper, String chunk) {
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        return text(stamper.feed(bytes, 0, bytes.length));
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("whole lines only, each stamped: a partial line waits for its end, CRLF is kept, 40 KiB is cut at 16 KiB with ⏎, close() flushes the tail")
    void keepsPartialLines() {
        TestClock clock = new TestClock();
        LineStamper stamper = new LineStamper(clock);
        List<String> out = new ArrayList<>(feed(stamper, "a\nb"));
        assertThat(out).as("\"a\\nb\": the line a is whole, b waits for the rest of its line")
                .containsExactly("2026-11-29T10:00:01.123Z a\n");
        clock.now = Instant.parse("2026-11-29T10:00:02Z");
        assertThat(feed(stamper, "c\n")).as("then \"c\\n\": the line is bc, stamped when it was completed, with milliseconds even when they are 0"
                        + " (pm2 stamps each piece as a line and drops the tail of the first: handout, step 2)")
                .containsExactly("2026-11-29T10:00:02.000Z bc\n");

        assertThat(feed(stamper, "dos\r\nnext")).as("a CRLF line keeps its \\r: bytes pass through as written")
                .containsExactly("2026-11-29T10:00:02.000Z dos\r\n");
        assertThat(feed(stamper, "")).as("an empty read completes nothing").isEmpty();
        assertThat(feed(stamper, " line\n\n")).as("the waiting \"next\" joins its end; an empty line is a line too")
                .containsExactly("2026-11-29T10:00:02.000Z next line\n", "2026-11-29T10:00:02.000Z \n");

        char[] long40 = new char[40 * 1024];
        Arrays.fill(long40, 'x');
        String x16 = "x".repeat(LineStamper.MAX_LINE);
        assertThat(feed(stamper, new String(long40) + "\nz")).as("a 40 KiB line is cut after each 16 KiB, the cut pieces ending in ⏎")
                .containsExactly("2026-11-29T10:00:02.000Z " + x16 + "⏎\n",
                        "2026-11-29T10:00:02.000Z " + x16 + "⏎\n",
                        "2026-11-29T10:00:02.000Z " + "x".repeat(8 * 1024) + "\n");
        assertThat(feed(stamper, x16.substring(1) + "\n")).as("a line of exactly 16 KiB (with the waiting z) is not cut")
                .containsExactly("2026-11-29T10:00:02.000Z z" + x16.substring(1) + "\n");

        feed(stamper, "tail without newline");
        clock.now = clock.now.plus(Duration.ofMillis(5));
        assertThat(text(stamper.close())).as("close(): the stream ended, the waiting piece is written out, marked as cut")
                .containsExactly("2026-11-29T10:00:02.005Z tail without newline⏎\n");
        assertThatThrownBy(() -> feed(stamper, "more\n")).as("nothing may be fed after close()").isInstanceOf(IllegalStateException.class);

        LineStamper quiet = new LineStamper(Clock.systemUTC());
        assertThat(feed(quiet, "prompt> ")).isEmpty();
        List<String> flushed = text(quiet.flushPartial());
        assertThat(flushed).as("flushPartial(): a piece the app left waiting (a prompt) goes out stamped, ending in ⏎").hasSize(1);
        assertThat(flushed.getFirst()).as("every line starts with an ISO-8601 UTC stamp with milliseconds and a space")
                .matches(STAMP_PATTERN + "prompt> ⏎\n");
        assertThat(quiet.flushPartial()).as("nothing waits any more").isEmpty();
        assertThat(feed(quiet, "done\n")).as("what follows a flush starts a new line").singleElement(STRING)
                .matches(STAMP_PATTERN + "done\n");
    }
}
