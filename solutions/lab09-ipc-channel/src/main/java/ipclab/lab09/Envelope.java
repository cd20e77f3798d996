package ipclab.lab09;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * What travels on the wire: one JSON object per line. Two kinds:
 * <pre>
 * {"kind":"message","seq":7,"handle":false,"body":{...}}   a message (handle: a descriptor rides on this line)
 * {"kind":"ack","seq":7}                                     "I got handle message #7", like Node's NODE_HANDLE_ACK
 * </pre>
 *
 * @param kind   {@link #MESSAGE} or {@link #ACK}
 * @param seq    the sender's number for the message; an ack repeats the number it acknowledges
 * @param handle true when a descriptor was attached to this line (SCM_RIGHTS)
 * @param body   the message's JSON; null for an ack
 */
public record Envelope(String kind, long seq, boolean handle, JsonNode body) {

    public static final String MESSAGE = "message";
    public static final String ACK = "ack";

    /** One mapper for the whole process: it is thread-safe once configured, and costly to create. */
    static final ObjectMapper JSON = new ObjectMapper();

    public static Envelope message(long seq, boolean handle, JsonNode body) {
        return new Envelope(MESSAGE, seq, handle, body);
    }

    public static Envelope ack(long seq) {
        return new Envelope(ACK, seq, false, null);
    }

    /**
     * The line for this envelope: its JSON as UTF-8 bytes followed by '\n'. JSON never needs a raw
     * newline (inside strings it is written as \n), so '\n' can safely end a message.
     */
    public byte[] toLine() {
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", kind);
        node.put("seq", seq);
        if (kind.equals(MESSAGE)) {
            node.put("handle", handle);
            node.set("body", body);
        }
        try {
            byte[] json = JSON.writeValueAsBytes(node);
            byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the envelope as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads one line (without its '\n'). Anything but an object with a known "kind", a numeric
     * "seq" and, for a message, a "body" is a {@link ProtocolException} that says what was wrong.
     */
    public static Envelope parse(byte[] line) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (java.io.IOException e) {
            throw new ProtocolException("malformed line: not JSON (" + firstLine(e.getMessage()) + "): " + preview(line));
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException("malformed line: JSON but not an envelope object: " + preview(line));
        }
        JsonNode kind = node.get("kind");
        JsonNode seq = node.get("seq");
        if (kind == null || !kind.isTextual() || seq == null || !seq.canConvertToLong()) {
            throw new ProtocolException("malformed line: the envelope needs a text \"kind\" and a number \"seq\": " + preview(line));
        }
        return switch (kind.asText()) {
            case ACK -> ack(seq.asLong());
            case MESSAGE -> {
                JsonNode body = node.get("body");
                if (body == null) {
                    throw new ProtocolException("malformed line: a message envelope without \"body\": " + preview(line));
                }
                yield message(seq.asLong(), node.path("handle").asBoolean(false), body);
            }
            default -> throw new ProtocolException("malformed line: unknown envelope kind \"" + kind.asText() + "\": " + preview(line));
        };
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
