package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private static final String STEP = "Step 2: Envelopes";

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("the four kinds go to one line each and come back the same; a newline inside a string stays escaped")
    void linesRoundTrip() throws Exception {
        JsonNode body = TestKit.json().put("text", "ünï \"quoted\"\nsecond line").put("n", 7);
        for (Envelope envelope : new Envelope[] {Envelope.message(body), Envelope.handle(body), Envelope.ack(), Envelope.nack()}) {
            byte[] line = envelope.toLine();
            assertThat(line[line.length - 1]).as("%s: a line ends with '\\n'", envelope.kind()).isEqualTo((byte) '\n');
            assertThat(firstNewline(line)).as("%s: its only '\\n' is the last byte "
                    + "(JSON writes a newline inside a string as \\n)", envelope.kind()).isEqualTo(line.length - 1);
            Envelope back = Envelope.parse(Arrays.copyOf(line, line.length - 1));
            assertThat(back.kind()).as("the kind survives").isEqualTo(envelope.kind());
            assertThat(back.body()).as("%s: the body survives (none for an ack or a nack)", envelope.kind()).isEqualTo(envelope.body());
        }
        assertThat(TestKit.JSON.readTree(Envelope.ack().toLine()).has("seq"))
                .as("no sequence number: with one handle in flight at most, an ack is about that one").isFalse();
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("a bad line is a ProtocolException that says what is wrong: not JSON, not an envelope, no kind, an unknown kind, no body")
    void malformedLinesNamed() {
        assertMalformed("this is not json", "not JSON");
        assertMalformed("[1,2,3]", "not an envelope");
        assertMalformed("{\"hello\":\"world\"}", "kind");
        assertMalformed("{\"kind\":\"gossip\"}", "unknown");
        assertMalformed("{\"kind\":\"handle\"}", "body");
    }

    private static int firstNewline(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void assertMalformed(String line, String words) {
        assertThatThrownBy(() -> Envelope.parse(line.getBytes(StandardCharsets.UTF_8)))
                .as("the line %s", line).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("malformed").hasMessageContaining(words);
    }
}
