package ipclab.lab03;

import ipclab.support.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A client's request to the sequence-number server: "give me {@code count} numbers, and send the
 * answer to the FIFO {@code replyFifo}". On the wire it is one line of text,
 *
 * <pre>REQ &lt;client pid&gt; &lt;count&gt; &lt;reply FIFO path&gt;\n</pre>
 *
 * at most {@link Libc#PIPE_BUF} bytes long, so that one write(2) puts it into the shared request
 * FIFO in one piece: many clients write there at once, and the server tells requests apart only by
 * the newline at their end.
 */
public record Request(long clientPid, int count, Path replyFifo) {

    /** The most numbers one request may ask for. */
    public static final int MAX_COUNT = 1_000_000;

    private static final String TAG = "REQ";

    public Request {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("a request asks for 1 to " + MAX_COUNT + " numbers, not " + count);
        }
        if (!replyFifo.isAbsolute() || replyFifo.toString().indexOf('\n') >= 0) {
            throw new IllegalArgumentException("the reply FIFO must be an absolute path without a newline: " + replyFifo);
        }
    }

    /** The request as one line, ready for one write(2). */
    public byte[] encode() {
        byte[] line = (TAG + " " + clientPid + " " + count + " " + replyFifo + "\n").getBytes(StandardCharsets.UTF_8);
        if (line.length > Libc.PIPE_BUF) {
            throw new IllegalArgumentException("this request is " + line.length + " bytes long, more than PIPE_BUF ("
                    + Libc.PIPE_BUF + "): it could interleave with other clients' requests; use a shorter reply path");
        }
        return line;
    }

    /**
     * Parses one line (without its newline).
     *
     * @throws IllegalArgumentException when the line is not a well-formed request; the message says why
     */
    public static Request decode(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length != 4 || !parts[0].equals(TAG)) {
            throw new IllegalArgumentException("not a request (expected \"" + TAG + " <pid> <count> <reply FIFO>\")");
        }
        try {
            return new Request(Long.parseLong(parts[1]), Integer.parseInt(parts[2]), Path.of(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the pid or the count is not a number: " + e.getMessage());
        }
    }
}
