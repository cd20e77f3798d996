package ipclab.lab09;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * What travels on the wire: one JSON object per line, of four kinds (Node's names in brackets):
 * <pre>
 * {"kind":"message","body":{...}}   a message                                     (a plain message)
 * {"kind":"handle","body":{...}}    a message with a descriptor on its first byte (NODE_HANDLE)
 * {"kind":"ack"}                    "the handle message arrived with its descriptor" (NODE_HANDLE_ACK)
 * {"kind":"nack"}                   "it arrived without one: send it again"        (NODE_HANDLE_NACK)
 * </pre>
 * There is no sequence number: the sender holds every later message back until the handle's ack,
 * so at most one handle is ever in flight, and an ack or nack can only be about that one.
 *
 * @param kind {@link #MESSAGE}, {@link #HANDLE}, {@link #ACK} or {@link #NACK}
 * @param body the message's JSON; null for an ack or a nack
 */
public record Envelope(String kind, JsonNode body) {

    public static final String MESSAGE = "message";
    public static final String HANDLE = "handle";
    public static final String ACK = "ack";
    public static final String NACK = "nack";
    static final Set<String> KINDS = Set.of(MESSAGE, HANDLE, ACK, NACK);

    /** One mapper for the whole process: it is thread-safe once configured, and costly to create. */
    static final ObjectMapper JSON = new ObjectMapper();

    public static Envelope message(JsonNode body) {
        return new Envelope(MESSAGE, body);
    }

    public static Envelope handle(JsonNode body) {
        return new Envelope(HANDLE, body);
    }

    public static Envelope ack() {
        return new Envelope(ACK, null);
    }

    public static Envelope nack() {
        return new Envelope(NACK, null);
    }

    /** True for the kinds that carry a body: {@link #MESSAGE} and {@link #HANDLE}. */
    public boolean hasBody() {
        return kind.equals(MESSAGE) || kind.equals(HANDLE);
    }

    /**
     * The line for this envelope: its JSON as UTF-8 bytes followed by '\n'. JSON never needs a raw
     * newline (inside strings it is written as \n), so '\n' can safely end a message.
     */
    public byte[] toLine() {
        ObjectNode node = JSON.createObjectNode().put("kind", kind);
        if (hasBody()) {
            node.set("body", body);
        }
        try {
            byte[] json = JSON.writeValueAsBytes(node);
            byte[] line = Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the envelope as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads one line (without its '\n'). Anything but an object with a known text "kind" and, for a
     * message or a handle, a "body" is a {@link ProtocolException} that says what was wrong.
     */
    public static Envelope parse(byte[] line) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new ProtocolException("malformed line: not JSON (" + firstLine(e.getMessage()) + "): " + preview(line));
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException("malformed line: JSON, but not an envelope object: " + preview(line));
        }
        JsonNode kind = node.get("kind");
        if (kind == null || !kind.isTextual()) {
            throw new ProtocolException("malformed line: the envelope needs a text \"kind\": " + preview(line));
        }
        if (!KINDS.contains(kind.asText())) {
            throw new ProtocolException("malformed line: unknown envelope kind \"" + kind.asText() + "\" (known: " + KINDS + "): " + preview(line));
        }
        Envelope envelope = new Envelope(kind.asText(), node.get("body"));
        if (envelope.hasBody() && envelope.body() == null) {
            throw new ProtocolException("malformed line: a " + kind.asText() + " envelope without \"body\": " + preview(line));
        }
        return envelope;
    }

    /** The start of a bad line, for an error message that shows what arrived without flooding the log. */
    static String preview(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 80), StandardCharsets.UTF_8);
        return "\"" + text + (line.length > 80 ? "…" : "") + "\" (" + line.length + " bytes)";
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
