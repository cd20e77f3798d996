package ipclab.lab11;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A test app that writes numbered lines: {@code Chatter OUT ERR} writes {@code out 000001 …} to
 * {@code out 0OUT} on stdout and {@code err 000001 …} up to ERR on stderr, one {@code write(2)} per
 * piece (no buffering). Every third line goes in two halves, and one in ten of those with 5 ms
 * between them, so that the daemon reads half a line and must wait for the rest. Then it sleeps.
 */
public final class Chatter {

    private Chatter() {
    }

    public static void main(String[] args) throws Exception {
        int outLines = Integer.parseInt(args[0]);
        int errLines = Integer.parseInt(args[1]);
        try (FileOutputStream out = new FileOutputStream(FileDescriptor.out);
             FileOutputStream err = new FileOutputStream(FileDescriptor.err)) {
            for (int i = 1; i <= Math.max(outLines, errLines); i++) {
                if (i <= outLines) {
                    line(out, "out", i);
                }
                if (i <= errLines) {
                    line(err, "err", i);
                }
            }
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** The text of line {@code i} of {@code stream}, without its newline. */
    static String text(String stream, int i) {
        return String.format("%s %06d the quick brown fox jumps over the lazy dog", stream, i);
    }

    private static void line(FileOutputStream to, String stream, int i) throws IOException, InterruptedException {
        byte[] bytes = (text(stream, i) + "\n").getBytes(StandardCharsets.UTF_8);
        if (i % 3 != 0) {
            to.write(bytes);
            return;
        }
        int half = bytes.length / 2;
        to.write(bytes, 0, half);
        if (i % 30 == 0) {
            Thread.sleep(5);
        }
        to.write(bytes, half, bytes.length - half);
    }
}
