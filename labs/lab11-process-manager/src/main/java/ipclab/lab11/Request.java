package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One request on the control socket, as {@link ControlCodec#parse} read it from one datagram:
 * {@code {"id":7,"verb":"ping","args":{}}}. pm2's axon-rpc calls {@code {type:'call', method, args}}.
 *
 * @param id   what the client put in {@code id}, echoed in every reply to this request; a JSON null when it sent none
 * @param verb what to do: {@code ping}, {@code kill}, and the verbs later steps register
 * @param args the verb's arguments; an empty object when the request had none
 */
public record Request(JsonNode id, String verb, ObjectNode args) {

    public Request {
        Objects.requireNonNull(id, "id (a JSON null when there is none)");
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(args, "args");
    }
}
