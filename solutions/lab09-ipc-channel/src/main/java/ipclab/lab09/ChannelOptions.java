package ipclab.lab09;

/**
 * The limits of one {@link Channel}. The defaults suit the course; tests make them small to reach
 * an edge quickly ({@code ChannelOptions.defaults().withMaxLineBytes(4096)}).
 *
 * @param maxLineBytes             the longest line (one message, without its '\n') the reader accepts.
 *                                 Node has no limit: a peer that never sends '\n' grows its buffer for ever
 * @param highWaterMark            bytes queued but not yet written above which {@code send} returns false
 *                                 (Node: {@code writeQueueSize < 65536 * 2}, {@code child_process.js} 888)
 * @param maxHandleRetransmissions how often a NACKed handle message is sent again before the send fails
 *                                 (Node: {@code MAX_HANDLE_RETRANSMISSIONS} = 3, {@code child_process.js} 83)
 * @param exitOnUnexpectedEof      a child's default: exit with {@link Channel#CHANNEL_CLOSED_EXIT} when the parent's end closes
 */
public record ChannelOptions(int maxLineBytes, int highWaterMark, int maxHandleRetransmissions, boolean exitOnUnexpectedEof) {

    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;
    public static final int MAX_HANDLE_RETRANSMISSIONS = 3;

    public ChannelOptions {
        if (maxLineBytes < 64 || highWaterMark < 1 || maxHandleRetransmissions < 0) {
            throw new IllegalArgumentException("unusable channel options: " + maxLineBytes + " B lines, high-water mark "
                    + highWaterMark + " B, " + maxHandleRetransmissions + " retransmissions");
        }
    }

    /** 1 MiB lines, 64 KiB high-water mark, 3 retransmissions of a NACKed handle; a parent's end does not exit on EOF. */
    public static ChannelOptions defaults() {
        return new ChannelOptions(DEFAULT_MAX_LINE_BYTES, DEFAULT_HIGH_WATER_MARK, MAX_HANDLE_RETRANSMISSIONS, false);
    }

    public ChannelOptions withMaxLineBytes(int value) {
        return new ChannelOptions(value, highWaterMark, maxHandleRetransmissions, exitOnUnexpectedEof);
    }

    public ChannelOptions withHighWaterMark(int value) {
        return new ChannelOptions(maxLineBytes, value, maxHandleRetransmissions, exitOnUnexpectedEof);
    }

    public ChannelOptions withMaxHandleRetransmissions(int value) {
        return new ChannelOptions(maxLineBytes, highWaterMark, value, exitOnUnexpectedEof);
    }

    public ChannelOptions withExitOnUnexpectedEof(boolean value) {
        return new ChannelOptions(maxLineBytes, highWaterMark, maxHandleRetransmissions, value);
    }
}
