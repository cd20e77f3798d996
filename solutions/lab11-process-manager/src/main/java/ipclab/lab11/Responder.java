package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * How a {@link Verb} answers one request: the id to echo, and the connection the request came on.
 * A reply that would not fit in one datagram becomes an error reply instead, so the client always
 * hears something. Used on the daemon's loop thread only. Given code.
 */
public final class Responder {

    private final ControlConnection connection;
    private final JsonNode id;

    public Responder(ControlConnection connection, JsonNode id) {
        this.connection = connection;
        this.id = id;
    }

    /** {@code {"id":…,"ok":true,"result":…}}. */
    public void ok(JsonNode result) {
        send(ControlCodec.reply(id, result));
    }

    /** {@code {"id":…,"ok":true,"result":{}}}, for a verb with nothing to say. */
    public void ok() {
        ok(JsonNodeFactory.instance.objectNode());
    }

    /** {@code {"id":…,"ok":false,"error":sentence}}. */
    public void error(String sentence) {
        send(ControlCodec.error(id, sentence));
    }

    /** One datagram of a stream, {@code {"id":…,field:value}}: a log line, an event. */
    public void item(String field, JsonNode value) {
        send(ControlCodec.item(id, field, value));
    }

    /** False once the client has gone: a stream can stop producing. */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /** The connection, to learn when it closes ({@link ControlConnection#onClose}). */
    public ControlConnection connection() {
        return connection;
    }

    private void send(byte[] datagram) {
        if (datagram.length > ControlConnection.MAX_DATAGRAM_BYTES) {
            datagram = ControlCodec.error(id, "the reply is " + datagram.length + " bytes, longer than "
                    + ControlConnection.MAX_DATAGRAM_BYTES + ": the daemon cannot send it in one datagram");
        }
        connection.send(datagram);
    }
}
