package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request the daemon will not carry out, and the sentence its client reads: "unknown verb
 * 'explode' (verbs: kill, ping)". It becomes an error reply on the same connection, and the daemon
 * goes on: pm2's daemon dies of one malformed request (the handout's "What pm2 does"). Given code.
 */
public final class Refusal extends Exception {

    /** The request's id when it was read before the refusal, so that the client can match the reply; else null. */
    private final transient JsonNode id;

    /** A refusal of a request whose id is not known (it was not JSON, say). */
    public Refusal(String sentence) {
        this(sentence, null);
    }

    public Refusal(String sentence, JsonNode id) {
        super(sentence, null, false, false); // a sentence for a client: no stack trace to fill
        this.id = id;
    }

    /** The refused request's id, or null. */
    public JsonNode id() {
        return id;
    }
}
