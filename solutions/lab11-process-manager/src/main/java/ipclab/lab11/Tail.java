package ipclab.lab11;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The last lines of a log and of the files it was rotated into, read backwards from the end, as
 * {@code tail -n} does: a 10 MiB log is not read whole to show 20 lines. Given code.
 */
public final class Tail {

    private static final int BLOCK = 8192;

    private Tail() {
    }

    /**
     * The last {@code n} lines of {@code log}, continued into {@code log.1}, {@code log.2}… when it
     * holds fewer; oldest first, without their newlines.
     */
    public static List<String> lastLines(Path log, int n) throws IOException {
        List<String> newestFirst = new ArrayList<>();
        for (int age = 0; newestFirst.size() < n; age++) {
            Path file = age == 0 ? log : log.resolveSibling(log.getFileName() + "." + age); // RotatingLog's names
            if (!Files.exists(file)) {
                break;
            }
            newestFirst.addAll(lastLinesNewestFirst(file, n - newestFirst.size()));
        }
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** Up to {@code n} lines from the end of {@code file}, the last one first. */
    private static List<String> lastLinesNewestFirst(Path file, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long end = in.length();
            byte[] carry = new byte[0];
            long position = end;
            boolean first = true;
            while (position > 0 && lines.size() < n) {
                int size = (int) Math.min(BLOCK, position);
                position -= size;
                byte[] block = new byte[size + carry.length];
                in.seek(position);
                in.readFully(block, 0, size);
                System.arraycopy(carry, 0, block, size, carry.length);
                int lineEnd = block.length;
                if (first && lineEnd > 0 && block[lineEnd - 1] == '\n') {
                    lineEnd--; // the file's last newline ends the last line; it does not start an empty one
                }
                first = false;
                for (int i = lineEnd - 1; i >= 0 && lines.size() < n; i--) {
                    if (block[i] == '\n') {
                        lines.add(new String(block, i + 1, lineEnd - i - 1, StandardCharsets.UTF_8));
                        lineEnd = i;
                    }
                }
                carry = Arrays.copyOf(block, lineEnd);
            }
            if (position == 0 && carry.length > 0 && lines.size() < n) {
                lines.add(new String(carry, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
