package ipclab.lab10;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * One message between the master and a worker, sent as one JSON object in one datagram of a
 * {@link ClusterChannel}. {@code act} says what it is; the other fields are set when that act needs
 * them (absent ones are left out of the JSON). The names are Node's where Node has them
 * ({@code lib/internal/cluster/child.js}, {@code primary.js}, {@code round_robin_handle.js}).
 *
 * <ul>
 *   <li>master &rarr; worker {@code setup}: scheduling, host, port, delayMs; in shared mode the
 *       listening socket rides along (Node: the reply to {@code queryServer} with the handle attached,
 *       {@code shared_handle.js} 27&ndash;31)</li>
 *   <li>master &rarr; worker {@code newconn}: seq, with a connected socket attached (round-robin;
 *       Node: {@code {act:'newconn', key}} in {@code round_robin_handle.js} 129)</li>
 *   <li>worker &rarr; master {@code reply}: ack (the seq it answers), accepted; false means "I am
 *       leaving, give it to someone else" (Node: {@code {ack: seq, accepted}}, {@code child.js} 241)</li>
 *   <li>worker &rarr; master {@code listening}: port ({@code child.js} 117&ndash;127)</li>
 *   <li>master &rarr; worker {@code disconnect}: stop taking connections, finish the open ones, exit 0
 *       ({@code primary.js} 352&ndash;358)</li>
 *   <li>worker &rarr; master {@code ready}: no fields; the worker says it has finished starting,
 *       whatever that means to it (Node: {@code process.send('ready')}, which pm2's {@code wait_ready}
 *       waits for instead of {@code listening}, pm2 7.0.4 {@code lib/God.js} 323&ndash;341). The
 *       master only reports it ({@link ClusterEvents#ready}); {@link ClusterWorker} never sends it.</li>
 * </ul>
 *
 * <p>Why JSON is written and read field by field ({@link #toJson()}, {@link #fromJson}) rather than
 * with Jackson's data binding: a round-robin master sends and reads one message per connection, so
 * this is the hot path of the cluster. Binding a record resolves types and calls its constructor
 * reflectively on every message, and its code takes the JIT tens of seconds to compile under load;
 * Jackson's streaming API does the same work in a few straight-line calls. Given code.
 */
public record ClusterMessage(String act, Long seq, Long ack, Boolean accepted, String scheduling, String host,
                             Integer port, Long delayMs) {

    private static final JsonFactory JSON = new JsonFactory();

    public static ClusterMessage setup(Scheduling scheduling, String host, int port, long delayMs) {
        return new ClusterMessage("setup", null, null, null, scheduling.cliName(), host, port, delayMs);
    }

    public static ClusterMessage newconn(long seq) {
        return new ClusterMessage("newconn", seq, null, null, null, null, null, null);
    }

    public static ClusterMessage reply(long seq, boolean accepted) {
        return new ClusterMessage("reply", null, seq, accepted, null, null, null, null);
    }

    public static ClusterMessage listening(int port) {
        return new ClusterMessage("listening", null, null, null, null, null, port, null);
    }

    public static ClusterMessage disconnect() {
        return new ClusterMessage("disconnect", null, null, null, null, null, null, null);
    }

    public static ClusterMessage ready() {
        return new ClusterMessage("ready", null, null, null, null, null, null, null);
    }

    /** True for a {@code reply} that takes the socket. */
    public boolean isAccepted() {
        return Boolean.TRUE.equals(accepted);
    }

    /** This message as one JSON object, in UTF-8, its absent fields left out: {@code {"act":"newconn","seq":7}}. */
    public byte[] toJson() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (JsonGenerator out = JSON.createGenerator(bytes)) {
            out.writeStartObject();
            field(out, "act", act);
            field(out, "seq", seq);
            field(out, "ack", ack);
            field(out, "accepted", accepted);
            field(out, "scheduling", scheduling);
            field(out, "host", host);
            field(out, "port", port);
            field(out, "delayMs", delayMs);
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the JSON object in {@code json[0..length)}. Fields it does not know are skipped, as a
     * newer peer may send more; a message without {@code act}, or not one object, is refused.
     *
     * @throws IOException naming what is wrong with it
     */
    public static ClusterMessage fromJson(byte[] json, int length) throws IOException {
        String act = null, scheduling = null, host = null;
        Long seq = null, ack = null, delayMs = null;
        Boolean accepted = null;
        Integer port = null;
        try (JsonParser in = JSON.createParser(json, 0, length)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a cluster message is one JSON object, not " + in.currentToken());
            }
            for (String field; (field = in.nextFieldName()) != null; ) {
                in.nextToken();
                // A number read as a string, or null for anything, fails here with the field's token named.
                switch (field) {
                    case "act" -> act = text(in);
                    case "seq" -> seq = in.getLongValue();
                    case "ack" -> ack = in.getLongValue();
                    case "accepted" -> accepted = in.getBooleanValue();
                    case "scheduling" -> scheduling = text(in);
                    case "host" -> host = text(in);
                    case "port" -> port = in.getIntValue();
                    case "delayMs" -> delayMs = in.getLongValue();
                    default -> in.skipChildren(); // a field of a newer peer: not ours to read
                }
            }
            if (in.nextToken() != null) {
                throw new IOException("more than one JSON value in one cluster message");
            }
        }
        if (act == null) {
            throw new IOException("a cluster message without \"act\"");
        }
        return new ClusterMessage(act, seq, ack, accepted, scheduling, host, port, delayMs);
    }

    /** Writes one field, or nothing when it is absent (null). */
    private static void field(JsonGenerator out, String name, Object value) throws IOException {
        switch (value) {
            case null -> { }
            case String text -> out.writeStringField(name, text);
            case Boolean flag -> out.writeBooleanField(name, flag);
            case Integer number -> out.writeNumberField(name, number);
            case Long number -> out.writeNumberField(name, number);
            default -> throw new IllegalArgumentException(name + " is a " + value.getClass().getSimpleName());
        }
    }

    /** The current value, which must be a string. */
    private static String text(JsonParser in) throws IOException {
        if (in.currentToken() != JsonToken.VALUE_STRING) {
            throw new IOException("\"" + in.currentName() + "\" must be a string, not " + in.currentToken());
        }
        return in.getText();
    }
}
