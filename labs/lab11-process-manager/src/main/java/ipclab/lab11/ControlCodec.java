package ipclab.lab11;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The control socket's wire format: one JSON object per datagram, each way (the handout's
 * step 3). A request is {@code {"id":7,"verb":"ping","args":{}}}; a reply
 * {@code {"id":7,"ok":true,"result":…}} or {@code {"id":7,"ok":false,"error":"…"}}; one datagram
 * of a stream {@code {"id":9,"line":…}}. pm2 frames with amp instead: a 32-bit length read from the
 * stream, never capped (the handout's "What pm2 does").
 */
public final class ControlCodec {

    /** One document per datagram: {@code {"verb":"ping"} junk} is refused, not half-read. */
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ControlCodec() {
    }

    /**
     * Reads one request, or refuses it with the sentence its client will read.
     *
     * @throws Refusal "request is not JSON: … at byte N"; "request nests deeper than 32 levels";
     *                 "request is not a JSON object but an array"; "request has no 'verb'";
     *                 "'verb' must be a string, not 42"; "'args' must be an object, not …"
     */
    public static Request parse(byte[] datagram) throws Refusal {
        throw new UnsupportedOperationException("TODO: READER.readTree; refuse (Refusal) what is not JSON ('request is not JSON: <Jackson's original message> at byte N'), nests deeper than Json.MAX_NESTING (StreamConstraintsException), is empty or not an object, has an id that is not a number or a string, has no verb or one that is not a string, or args that are not an object; no id: a JSON null, no args: {} (handout, step 3)");
    }

    /** {@code {"id":id,"ok":true,"result":result}} as UTF-8 bytes. */
    public static byte[] reply(JsonNode id, JsonNode result) {
        throw new UnsupportedOperationException("TODO: {\"id\":id,\"ok\":true,\"result\":result} as UTF-8 bytes: start from envelope(id) (handout, step 3)");
    }

    /** {@code {"id":id,"ok":false,"error":sentence}} as UTF-8 bytes; {@code id} may be null (not known). */
    public static byte[] error(JsonNode id, String sentence) {
        throw new UnsupportedOperationException("TODO: {\"id\":id,\"ok\":false,\"error\":sentence} as UTF-8 bytes: start from envelope(id) (handout, step 3)");
    }

    /** One datagram of a stream, {@code {"id":id,field:value}}, as UTF-8 bytes. Given. */
    public static byte[] item(JsonNode id, String field, JsonNode value) {
        ObjectNode item = envelope(id);
        item.set(field, value);
        return bytes(item);
    }

    /** {@code {"id":id}}, the start of every datagram the daemon sends; a null id is a JSON null. Given. */
    private static ObjectNode envelope(JsonNode id) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set("id", id == null ? NullNode.instance : id);
        return node;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of JSON nodes always serialises", e);
        }
    }

    /** "an array", "a number (42)", for a sentence; a value is cut at 40 characters. */
    private static String describe(JsonNode node) {
        String text = node.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string (" + shown + ")";
            case NUMBER -> "a number (" + shown + ")";
            case BOOLEAN -> "a boolean (" + shown + ")";
            default -> shown;
        };
    }
}
