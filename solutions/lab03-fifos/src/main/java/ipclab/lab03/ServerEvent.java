package ipclab.lab03;

/**
 * What the sequence-number server did with one line from its request FIFO. {@link SequenceServer#serve}
 * reports each to a listener; the server's {@code main} prints them.
 */
public sealed interface ServerEvent {

    /** One line, for a log. */
    String describe();

    /** The client got numbers {@code first} to {@code first + count - 1}. */
    record Served(Request request, long first) implements ServerEvent {
        @Override
        public String describe() {
            return "served pid " + request.clientPid() + ": " + first + ".." + (first + request.count() - 1);
        }
    }

    /** No reply could be delivered (the client is gone, say); no numbers were used up. */
    record Dropped(Request request, String reason) implements ServerEvent {
        @Override
        public String describe() {
            return "dropped pid " + request.clientPid() + " (reply FIFO " + request.replyFifo() + "): " + reason;
        }
    }

    /** A line that is not a request; it was skipped. */
    record Malformed(String line, String reason) implements ServerEvent {
        @Override
        public String describe() {
            String shown = line.length() <= 60 ? line : line.substring(0, 59) + "…";
            return "skipped a malformed line \"" + shown + "\": " + reason;
        }
    }
}
