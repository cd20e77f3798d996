package ipclab.lab01;

import ipclab.support.Libc;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code cmd > file} done by hand, the way a shell does it: fd 1 is made to refer to the file for a
 * while, then given back its old open file description.
 */
public final class StdoutRedirect {

    /** Standard output is descriptor 1 by convention; every program writes there. */
    static final int STDOUT = 1;

    /** What runs while fd 1 refers to the file. */
    @FunctionalInterface
    public interface Body {
        void run() throws IOException;
    }

    private StdoutRedirect() {
    }

    /**
     * Runs {@code body} with this process's fd 1 referring to {@code file} (created or truncated, as
     * {@code >} does), then restores fd 1 to the open file description it had before, also when
     * {@code body} throws. No descriptor stays open afterwards that was not open before.
     */
    public static void intoFile(Path file, Body body) throws IOException {
        throw new UnsupportedOperationException("TODO: save fd 1 with fcntl(F_DUPFD_CLOEXEC), open(2) the file, dup2(2) it onto 1, run body, dup2 the copy back, close it");
    }
}
