package ipclab.testkit;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * Test data that finds the usual mistakes of byte handling (a lost byte, a sign bug at 0x80, a
 * short read taken for the end), and a comparison whose failure message stays short: AssertJ's
 * own would print megabytes of both arrays.
 */
public final class Bytes {

    private Bytes() {
    }

    /** {@code count} random bytes, the same for the same seed, so that a failure can be reproduced. */
    public static byte[] randomBytes(int count, long seed) {
        byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** 0, 1, ..., 255, 0, 1, ...: every byte value, {@code count} bytes long. */
    public static byte[] everyByteValue(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** Fails with a short message (the lengths and the first difference, not a dump of megabytes) when the two arrays differ. */
    public static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        if (Arrays.equals(actual, expected)) {
            return;
        }
        int at = Arrays.mismatch(actual, expected);
        String detail = at < Math.min(actual.length, expected.length)
                ? "; the first difference is at byte " + at + " (expected " + (expected[at] & 0xff) + ", got " + (actual[at] & 0xff) + ")"
                : "; the first " + at + " bytes match";
        fail(what + ": expected " + expected.length + " bytes, got " + actual.length + detail);
    }

    /** Reads {@code fd} (blocking) to end of file with read(2) directly, not with the lab's code. */
    public static byte[] readAll(int fd) throws ErrnoException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = Libc.read(fd, chunk, 0, chunk.length)) > 0) {
            all.write(chunk, 0, n);
        }
        return all.toByteArray();
    }
}
