package ipclab.testkit;

/**
 * Closing on a path that is already failing: a test whose check has failed still has to release
 * what it holds, and a second exception from a close would hide the failure that matters.
 */
public final class Quietly {

    private Quietly() {
    }

    /** Closes {@code c} (nothing when it is {@code null}), ignoring what closing throws. */
    public static void close(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // Closing in a cleanup path: the test has failed already or is about to.
        }
    }
}
