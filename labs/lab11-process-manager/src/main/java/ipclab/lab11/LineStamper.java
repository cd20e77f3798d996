package ipclab.lab11;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what an app writes, in whatever pieces the pipe delivers it, into whole log lines, each with
 * the time in front: {@code 2026-11-29T10:00:01.123Z } and then the line's bytes exactly as written,
 * its {@code \r} included. What comes after the last newline waits for the rest of its line.
 *
 * <p>A pipe hands over bytes, not lines: one {@code write(2)} of the app can arrive in two reads, two
 * writes in one. pm2 stamps each piece as if it ended a line and drops what follows the last newline
 * ({@code lib/God/ForkMode.js} 148–156 of pm2 7.0.4), so a line written in two halves loses its first.
 *
 * <p>Two limits keep a line from waiting for ever or growing without bound: a line longer than
 * {@link #MAX_LINE} bytes is cut, and {@link #flushPartial()} (the daemon calls it when the app has
 * been quiet for a second) writes out the waiting piece. A piece that was cut or flushed before its
 * newline ends in {@link #CUT}, so a reader knows the line goes on in the next one.
 */
public final class LineStamper {

    /** The longest line kept whole, in bytes without its newline. */
    public static final int MAX_LINE = 16 * 1024;
    /** Ends a piece that is not a whole line (U+23CE, "return symbol"), before its newline. */
    public static final String CUT = "⏎";

    private static final byte[] CUT_BYTES = (CUT + "\n").getBytes(StandardCharsets.UTF_8);
    /** ISO-8601 in UTC, always with milliseconds, so every stamp has the same width and sorts as text. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z' ").withZone(ZoneOffset.UTC);

    private final Clock clock;
    /** The bytes after the last newline: the beginning of a line still being written. */
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private boolean closed;

    /** @param clock where the stamps come from: the system's UTC clock in the daemon, a fixed one in tests */
    public LineStamper(Clock clock) {
        this.clock = clock;
    }

    /**
     * Takes the next bytes the app wrote and returns the lines they complete, each stamped and ending
     * in {@code \n}; the bytes after the last newline are kept for the next call.
     */
    public List<byte[]> feed(byte[] bytes, int offset, int length) {
        throw new UnsupportedOperationException("TODO: return the lines these bytes complete, each stamped (see stamped) and ending in its newline; keep the bytes after the last newline in partial for the next call; cut a line that grows beyond MAX_LINE bytes, the piece ending in CUT (handout, step 2)");
    }

    /**
     * The waiting piece of a line as a line of its own, ending in {@link #CUT}; nothing when no bytes
     * wait. For an app that stays quiet in the middle of a line (a prompt, a progress bar).
     */
    public List<byte[]> flushPartial() {
        throw new UnsupportedOperationException("TODO: return the bytes waiting in partial as one stamped line ending in CUT (nothing when none wait), and forget them");
    }

    /** The stream has ended: the waiting piece, as {@link #flushPartial()}; no more bytes may be fed. */
    public List<byte[]> close() {
        throw new UnsupportedOperationException("TODO: flush the waiting piece as flushPartial does, and refuse any later feed");
    }

    /** How many bytes wait for the rest of their line. */
    public int pending() {
        return partial.size();
    }

    /** The stamp, then {@code content}; with {@code cut}, {@link #CUT} and a newline after it. */
    private byte[] stamped(byte[] content, boolean cut) {
        byte[] stamp = STAMP.format(clock.instant()).getBytes(StandardCharsets.US_ASCII);
        byte[] tail = cut ? CUT_BYTES : new byte[0];
        byte[] line = new byte[stamp.length + content.length + tail.length];
        System.arraycopy(stamp, 0, line, 0, stamp.length);
        System.arraycopy(content, 0, line, stamp.length, content.length);
        System.arraycopy(tail, 0, line, stamp.length + content.length, tail.length);
        return line;
    }
}
