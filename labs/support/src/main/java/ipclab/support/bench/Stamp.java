package ipclab.support.bench;

/**
 * A round trip's number in the first four bytes of its message, so a benchmark notices a wrong or
 * stale reply instead of timing it.
 */
public final class Stamp {

    private Stamp() {
    }

    /** Writes {@code number} into {@code message[0..4)}, big-endian. */
    public static void put(byte[] message, int number) {
        message[0] = (byte) (number >>> 24);
        message[1] = (byte) (number >>> 16);
        message[2] = (byte) (number >>> 8);
        message[3] = (byte) number;
    }

    /** Whether two messages carry the same number. */
    public static boolean same(byte[] a, byte[] b) {
        return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
    }
}
