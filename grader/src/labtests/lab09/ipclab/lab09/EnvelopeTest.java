package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import ipclab.grader.api.Graded;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private static final String STEP = "Step 2: Envelopes";

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("the lines are Node's: a message is its body; a handle is {cmd: NODE_HANDLE, type, msg}; the ack and the nack are byte for byte Node's")
    void nodesLines() throws Exception {
        JsonNode body = TestKit.json().put("text", "hello").put("n", 7);
        assertThat(TestKit.JSON.readTree(Envelope.message(body).toLine())).as("a message is written as its body, nothing around it")
                .isEqualTo(body);
        JsonNode handle = TestKit.JSON.readTree(Envelope.handle(body, "net.Socket").toLine());
        assertThat(handle.path("cmd").asText()).as("a handle message: %s", handle).isEqualTo("NODE_HANDLE");
        assertThat(handle.path("type").asText()).as("its \"type\": %s", handle).isEqualTo("net.Socket");
        assertThat(handle.path("msg")).as("the body is its \"msg\": %s", handle).isEqualTo(body);
        assertThat(text(Envelope.ack().toLine())).isEqualTo("{\"cmd\":\"NODE_HANDLE_ACK\"}\n");
        assertThat(text(Envelope.nack().toLine())).isEqualTo("{\"cmd\":\"NODE_HANDLE_NACK\"}\n");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("every envelope comes back the same from its line, any JSON value as a body; a newline inside a string stays escaped; Node's other internal messages are INTERNAL")
    void linesRoundTrip() throws Exception {
        JsonNodeFactory nodes = TestKit.JSON.getNodeFactory();
        JsonNode object = TestKit.json().put("text", "ünï \"quoted\"\nsecond line").put("n", 7);
        Envelope[] envelopes = {Envelope.message(object), Envelope.message(nodes.textNode("just a string")),
            Envelope.message(nodes.numberNode(42)), Envelope.message(nodes.arrayNode().add(1).add("two")),
            Envelope.message(nodes.nullNode()), Envelope.handle(object, "net.Native"), Envelope.ack(), Envelope.nack()};
        for (Envelope envelope : envelopes) {
            byte[] line = envelope.toLine();
            assertThat(line[line.length - 1]).as("%s: a line ends with '\\n'", envelope).isEqualTo((byte) '\n');
            assertThat(firstNewline(line)).as("%s: its only '\\n' is the last byte "
                    + "(JSON writes a newline inside a string as \\n)", envelope).isEqualTo(line.length - 1);
            assertThat(Envelope.parse(Arrays.copyOf(line, line.length - 1))).as("the line %s read back", text(line)).isEqualTo(envelope);
        }
        assertThat(parse("{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Socket\",\"msg\":{\"socket\":1},\"key\":\"4:127.0.0.1:0\"}"))
                .as("the line Node 20 writes for a socket its server accepted, \"key\" and all")
                .isEqualTo(Envelope.handle(TestKit.json().put("socket", 1), "net.Socket"));
        assertThat(parse("{\"cmd\":\"NODE_SOCKET_NOTIFY_CLOSE\",\"key\":\"k\"}").kind())
                .as("another internal message of Node's (a \"cmd\" that starts with NODE_)").isEqualTo(Envelope.INTERNAL);
        assertThat(parse("{\"cmd\":\"NODE_\"}").kind()).as("Node's isInternal wants more than the prefix").isEqualTo(Envelope.MESSAGE);
        assertThat(parse("{\"cmd\":\"HELLO\"}").kind()).as("a \"cmd\" of the user's own").isEqualTo(Envelope.MESSAGE);
        assertThat(parse("{\"cmd\":\"NODE_HANDLE_ACK\",\"extra\":true}").kind()).as("more fields do not make an ack less of one")
                .isEqualTo(Envelope.ACK);
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a bad line is a ProtocolException that says what is wrong: not JSON, empty, a NODE_HANDLE without type or without msg")
    void malformedLinesNamed() {
        assertMalformed("this is not json", "not JSON");
        assertMalformed("", "empty");
        assertMalformed("{\"cmd\":\"NODE_HANDLE\",\"msg\":{}}", "type");
        assertMalformed("{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Socket\"}", "msg");
    }

    private static Envelope parse(String line) throws ProtocolException {
        return Envelope.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
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
        assertThatThrownBy(() -> parse(line))
                .as("the line \"%s\"", line).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("malformed").hasMessageContaining(words);
    }
}
