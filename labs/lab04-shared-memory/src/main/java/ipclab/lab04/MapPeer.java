package ipclab.lab04;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The other process of "one file, two mappings". Given code, run as a child JVM:
 *
 * <pre>MapPeer FILE</pre>
 *
 * It maps FILE with {@link SharedRegion#open}, prints its own {@code /proc/self/maps} line for the
 * file ({@code mapped ...}) and the text it finds at {@link #MESSAGE_OFFSET} ({@code read ...}), writes
 * a reply at {@link #REPLY_OFFSET} and prints {@code replied}. Then it keeps the mapping until its
 * stdin ends, so the parent can look at it in {@code /proc/PID/maps}.
 */
public final class MapPeer {

    public static final long MESSAGE_OFFSET = 0;
    public static final long REPLY_OFFSET = 2048;
    /** A text slot: an int length, then UTF-8 bytes. */
    public static final int TEXT_SLOT_BYTES = 2048;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private MapPeer() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        try (SharedRegion region = SharedRegion.open(file)) {
            System.out.println("mapped " + mapsLine(file));
            System.out.println("read " + readText(region.segment(), MESSAGE_OFFSET));
            writeText(region.segment(), REPLY_OFFSET, "hello from pid " + ProcessHandle.current().pid());
            System.out.println("replied");
            System.out.flush();
            System.in.readAllBytes(); // hold the mapping until the parent closes our stdin
        }
    }

    /** Writes {@code text} as an int length and its UTF-8 bytes; the length goes last, so a reader never sees half. */
    public static void writeText(MemorySegment segment, long offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > TEXT_SLOT_BYTES - 4) {
            throw new IllegalArgumentException("text too long for a slot: " + bytes.length + " bytes");
        }
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, offset + 4, bytes.length);
        INT.setRelease(segment, offset, bytes.length);
    }

    /** The text at {@code offset}, or "" when none has been written. */
    public static String readText(MemorySegment segment, long offset) {
        int length = (int) INT.getAcquire(segment, offset);
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset + 4, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** This process's line in /proc/self/maps for {@code file}, or a note that there is none. */
    public static String mapsLine(Path file) throws IOException {
        return mapsLines(Path.of("/proc/self/maps"), file).stream().findFirst().orElse("(no mapping of " + file + ")");
    }

    /** The lines of a maps file (such as /proc/PID/maps) that map {@code file}. */
    public static java.util.List<String> mapsLines(Path maps, Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        return Files.readAllLines(maps).stream().filter(l -> l.endsWith(" " + name) || l.endsWith(" " + name + " (deleted)")).toList();
    }
}
