package ipclab.lab09;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What travels on the wire: one JSON value per line, exactly as Node writes its channel in its
 * default "json" serialization ({@code lib/internal/child_process/serialization.js}:
 * {@code JSONStringify(message) + '\n'}). A message is its own JSON, whatever the sender gave.
 * Node's handle protocol travels as <em>internal</em> messages: objects whose {@code "cmd"} starts
 * with {@code NODE_} ({@code isInternal}, {@code child_process.js}). Four kinds, Node's lines:
 * <pre>
 * {"text":"hello","n":7}                                  MESSAGE   the body itself, any JSON value
 * {"cmd":"NODE_HANDLE","type":"net.Socket","msg":{...}}   HANDLE    a message with a descriptor on its first byte
 * {"cmd":"NODE_HANDLE_ACK"}                               ACK       "the handle message arrived with its descriptor"
 * {"cmd":"NODE_HANDLE_NACK"}                              NACK      "it arrived without one: send it again"
 * {"cmd":"NODE_SOCKET_NOTIFY_CLOSE","key":"..."}          INTERNAL  any other internal message of Node's: not delivered
 * </pre>
 * There is no sequence number: the sender holds every later message back until the handle's ack,
 * so at most one handle is ever in flight, and an ack or nack can only be about that one.
 *
 * @param kind {@link #MESSAGE}, {@link #HANDLE}, {@link #ACK}, {@link #NACK} or {@link #INTERNAL}
 * @param body a message's JSON, a handle's {@code "msg"}, an internal message whole; null for an ack or a nack
 * @param type a handle's {@code "type"}, Node's name for what the descriptor is ({@link Descriptors#nodeType}); null otherwise
 */
public record Envelope(String kind, JsonNode body, String type) {

    public static final String MESSAGE = "message";
    public static final String HANDLE = "handle";
    public static final String ACK = "ack";
    public static final String NACK = "nack";
    public static final String INTERNAL = "internal";

    /** Node's commands for the handle protocol. */
    static final String NODE_HANDLE = "NODE_HANDLE";
    static final String NODE_HANDLE_ACK = "NODE_HANDLE_ACK";
    static final String NODE_HANDLE_NACK = "NODE_HANDLE_NACK";
    private static final String INTERNAL_PREFIX = "NODE_";

    /** One mapper for the whole process: it is thread-safe once configured, and costly to create. */
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A message. Its body may be any JSON value except one of Node's internal messages: a Node peer
     * would take it for part of its own protocol and never show it to its listeners.
     *
     * @throws IllegalArgumentException for a body whose {@code "cmd"} starts with {@code NODE_}
     */
    public static Envelope message(JsonNode body) {
        refuseInternal(body);
        return new Envelope(MESSAGE, body, null);
    }

    /**
     * A message with a descriptor of Node's kind {@code type} attached ({@link Descriptors#nodeType}).
     * As for {@link #message}, its body must not be one of Node's internal messages: Node would hand
     * the descriptor to its own machinery (child_process.js 713&ndash;714), not to its listeners.
     */
    public static Envelope handle(JsonNode body, String type) {
        refuseInternal(body);
        return new Envelope(HANDLE, body, type);
    }

    public static Envelope ack() {
        return new Envelope(ACK, null, null);
    }

    public static Envelope nack() {
        return new Envelope(NACK, null, null);
    }

    private static void refuseInternal(JsonNode body) {
        if (isInternal(body)) {
            throw new IllegalArgumentException("a message whose \"cmd\" is " + body.get("cmd")
                    + " is one of Node's internal messages (its \"cmd\" starts with " + INTERNAL_PREFIX + "): a Node peer "
                    + "would take it for its own protocol; choose another \"cmd\"");
        }
    }

    /**
     * Node's test for an internal message ({@code isInternal}, {@code child_process.js}): an object
     * whose {@code "cmd"} is a string that starts with {@code NODE_} and goes on after it.
     */
    public static boolean isInternal(JsonNode value) {
        if (value == null || !value.isObject() || !value.path("cmd").isTextual()) {
            return false;
        }
        String cmd = value.get("cmd").asText();
        return cmd.length() > INTERNAL_PREFIX.length() && cmd.startsWith(INTERNAL_PREFIX);
    }

    /**
     * The line for this envelope: its JSON as UTF-8 bytes followed by '\n'. JSON never needs a raw
     * newline (inside strings it is written as \n), so '\n' can safely end a message.
     */
    public byte[] toLine() {
        JsonNode value = switch (kind) {
            case MESSAGE, INTERNAL -> body;
            case HANDLE -> {
                ObjectNode node = JSON.createObjectNode().put("cmd", NODE_HANDLE).put("type", type);
                node.set("msg", body);
                yield node;
            }
            case ACK -> JSON.createObjectNode().put("cmd", NODE_HANDLE_ACK);
            case NACK -> JSON.createObjectNode().put("cmd", NODE_HANDLE_NACK);
            default -> throw new IllegalStateException("no line for an envelope of kind " + kind);
        };
        try {
            byte[] json = JSON.writeValueAsBytes(value);
            byte[] line = Arrays.copyOf(json, json.length + 1);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the envelope as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads one line (without its '\n'). A line that is not one JSON value, or a NODE_HANDLE without
     * a text {@code "type"} or without {@code "msg"}, is a {@link ProtocolException} that says what
     * was wrong. Any other JSON is a message.
     */
    public static Envelope parse(byte[] line) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new ProtocolException("malformed line: not JSON (" + firstLine(e.getMessage()) + "): " + preview(line));
        }
        if (node == null || node.isMissingNode()) {
            throw new ProtocolException("malformed line: empty, no JSON value: " + preview(line));
        }
        if (!isInternal(node)) {
            return new Envelope(MESSAGE, node, null);
        }
        return switch (node.get("cmd").asText()) {
            case NODE_HANDLE -> {
                if (!node.path("type").isTextual()) {
                    throw new ProtocolException("malformed line: a NODE_HANDLE message without a text \"type\": " + preview(line));
                }
                if (!node.has("msg")) {
                    throw new ProtocolException("malformed line: a NODE_HANDLE message without \"msg\": " + preview(line));
                }
                yield new Envelope(HANDLE, node.get("msg"), node.get("type").asText());
            }
            case NODE_HANDLE_ACK -> ack();
            case NODE_HANDLE_NACK -> nack();
            default -> new Envelope(INTERNAL, node, null);
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
