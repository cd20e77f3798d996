package ipclab.lab03;

import java.nio.charset.StandardCharsets;

/**
 * The server's answer to a {@link Request}: the first of the numbers it reserved for the client
 * (the client owns {@code first} up to {@code first + count - 1}). On the wire: the number in
 * decimal and a newline, written to the client's own reply FIFO.
 */
public record Reply(long first) {

    public byte[] encode() {
        return (first + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a reply line (with or without its newline).
     *
     * @throws IllegalArgumentException when it is not a number
     */
    public static Reply decode(String line) {
        try {
            return new Reply(Long.parseLong(line.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a reply (expected a number and a newline): \"" + line.strip() + "\"");
        }
    }
}
