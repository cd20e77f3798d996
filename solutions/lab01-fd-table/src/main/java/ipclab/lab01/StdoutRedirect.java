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
        // Bytes Java has buffered for the old stdout belong to the old stdout.
        System.out.flush();
        // Keep a descriptor for the original stdout, or it is lost once dup2 replaces fd 1.
        // Close-on-exec, so that a program the body starts does not inherit this spare copy.
        int saved = Libc.fcntl(STDOUT, Libc.F_DUPFD_CLOEXEC, 0);
        try {
            int opened = Libc.open(file, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_CLOEXEC, 0644);
            try {
                // dup2 closes what fd 1 was and clears FD_CLOEXEC on it: children started in the body
                // inherit the file as their stdout, exactly as with `cmd > file`.
                Libc.dup2(opened, STDOUT);
            } finally {
                Libc.close(opened); // fd 1 holds the open file description now
            }
            try {
                body.run();
            } finally {
                System.out.flush(); // what the body printed through System.out belongs in the file
                Libc.dup2(saved, STDOUT);
            }
        } finally {
            Libc.close(saved);
        }
    }
}
