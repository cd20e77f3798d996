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
        throw new UnsupportedOperationException("TODO: write the envelope as one JSON object (kind, seq, and for a message handle and body) in UTF-8, then a '\n'");
    }

    /**
     * Reads one line (without its '\n'). Anything but an object with a known "kind", a numeric
     * "seq" and, for a message, a "body" is a {@link ProtocolException} that says what was wrong.
     */
    public static Envelope parse(byte[] line) throws ProtocolException {
        throw new UnsupportedOperationException("TODO: parse the line as JSON; anything but an object with a known kind, a numeric seq (and a body for a message) is a ProtocolException");
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
