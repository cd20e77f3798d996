package ipclab.lab07;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message taken from a POSIX queue: its bytes, exactly as sent (a queue keeps message
 * boundaries, unlike a pipe), and the priority it was sent with.
 */
public record Message(byte[] body, int priority) {

    public Message {
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Message m && m.priority == priority && Arrays.equals(m.body, body);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(body) + priority;
    }

    @Override
    public String toString() {
        return "Message[priority " + priority + ", " + body.length + " bytes: " + text() + "]";
    }
}
