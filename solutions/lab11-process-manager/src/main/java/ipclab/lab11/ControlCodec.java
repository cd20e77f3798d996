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
        JsonNode tree;
        try {
            tree = READER.readTree(datagram);
        } catch (StreamConstraintsException e) {
            throw new Refusal("request nests deeper than " + Json.MAX_NESTING + " levels");
        } catch (JsonProcessingException e) {
            throw new Refusal("request is not JSON: " + e.getOriginalMessage() + " at byte " + (e.getLocation().getByteOffset() + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a request from memory", e); // no I/O happens: a byte array
        }
        if (tree == null || tree.isMissingNode()) {
            throw new Refusal("request is empty: send one JSON object per datagram, such as {\"id\":1,\"verb\":\"ping\"}");
        }
        if (!tree.isObject()) {
            throw new Refusal("request is not a JSON object but " + describe(tree) + ": send {\"id\":1,\"verb\":\"ping\"}");
        }
        JsonNode id = tree.path("id");
        if (id.isMissingNode()) {
            id = NullNode.instance;
        } else if (!id.isIntegralNumber() && !id.isTextual() && !id.isNull()) {
            throw new Refusal("'id' must be a number or a string, not " + describe(id));
        }
        JsonNode verb = tree.path("verb");
        if (verb.isMissingNode() || verb.isNull()) {
            throw new Refusal("request has no 'verb': send {\"id\":1,\"verb\":\"ping\"}", id);
        }
        if (!verb.isTextual()) {
            throw new Refusal("'verb' must be a string, not " + describe(verb), id);
        }
        JsonNode args = tree.path("args");
        if (args.isMissingNode() || args.isNull()) {
            args = JsonNodeFactory.instance.objectNode();
        } else if (!args.isObject()) {
            throw new Refusal("'args' must be an object, not " + describe(args), id);
        }
        return new Request(id, verb.asText(), (ObjectNode) args);
    }

    /** {@code {"id":id,"ok":true,"result":result}} as UTF-8 bytes. */
    public static byte[] reply(JsonNode id, JsonNode result) {
        ObjectNode reply = envelope(id);
        reply.put("ok", true);
        reply.set("result", result);
        return bytes(reply);
    }

    /** {@code {"id":id,"ok":false,"error":sentence}} as UTF-8 bytes; {@code id} may be null (not known). */
    public static byte[] error(JsonNode id, String sentence) {
        ObjectNode reply = envelope(id);
        reply.put("ok", false);
        reply.put("error", sentence);
        return bytes(reply);
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
