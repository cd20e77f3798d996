package ipclab.lab09;

import java.time.Duration;

/**
 * The limits and timings of one {@link Channel}. The defaults suit the course; tests make them
 * small to reach an edge quickly ({@code ChannelOptions.defaults().withMaxLineBytes(4096)}).
 *
 * @param maxLineBytes        the longest line (one message, without its '\n') the reader accepts
 * @param highWaterMark       bytes queued but not yet written above which {@code send} returns false
 * @param ackTimeout          how long a handle-carrying message waits for the peer's ack before it is sent again
 * @param handleAttempts      how many times a handle-carrying message is sent before the send fails
 * @param exitOnUnexpectedEof a child's default: exit with {@link Channel#CHANNEL_CLOSED_EXIT} when the parent's end closes
 */
public record ChannelOptions(int maxLineBytes, int highWaterMark, Duration ackTimeout, int handleAttempts,
                             boolean exitOnUnexpectedEof) {

    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    public ChannelOptions {
        if (maxLineBytes < 64 || highWaterMark < 1 || handleAttempts < 1 || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("unusable channel options: " + maxLineBytes + " B lines, high-water mark "
                    + highWaterMark + " B, ack timeout " + ackTimeout + ", " + handleAttempts + " attempts");
        }
    }

    /** 1 MiB lines, 64 KiB high-water mark, 2 s ack timeout, 3 attempts; a parent's end does not exit on EOF. */
    public static ChannelOptions defaults() {
        return new ChannelOptions(DEFAULT_MAX_LINE_BYTES, DEFAULT_HIGH_WATER_MARK, Duration.ofSeconds(2), 3, false);
    }

    public ChannelOptions withMaxLineBytes(int value) {
        return new ChannelOptions(value, highWaterMark, ackTimeout, handleAttempts, exitOnUnexpectedEof);
    }

    public ChannelOptions withHighWaterMark(int value) {
        return new ChannelOptions(maxLineBytes, value, ackTimeout, handleAttempts, exitOnUnexpectedEof);
    }

    public ChannelOptions withAckTimeout(Duration value, int attempts) {
        return new ChannelOptions(maxLineBytes, highWaterMark, value, attempts, exitOnUnexpectedEof);
    }

    public ChannelOptions withExitOnUnexpectedEof(boolean value) {
        return new ChannelOptions(maxLineBytes, highWaterMark, ackTimeout, handleAttempts, value);
    }
}
