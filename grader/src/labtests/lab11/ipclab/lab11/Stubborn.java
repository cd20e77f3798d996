package ipclab.lab11;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import sun.misc.Signal;

/**
 * A test app that will not stop politely: it ignores SIGINT and SIGTERM, and leaves a grandchild
 * behind in its process group, re-parented at once (its parent, a shell, exits). Writes
 * {@code "ready <grandchild pid>"} to the file named by its first argument once both are in place,
 * and creates the file named by its second when a SIGINT arrives.
 * pm2's probe 7 used {@code bash -c '(sleep 3001 &); exec sleep 3000'}: pm2 stopped the app and
 * left the {@code sleep 3001} running.
 */
public final class Stubborn {

    private Stubborn() {
    }

    public static void main(String[] args) throws Exception {
        Path interrupted = Path.of(args[1]);
        // Ignored, but noted: the test checks that the polite signal came before SIGKILL.
        Signal.handle(new Signal("INT"), signal -> {
            try {
                Files.writeString(interrupted, "SIGINT\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Signal.handle(new Signal("TERM"), signal -> { });
        // The shell starts sleep in the background and exits: sleep's parent is gone, its group is ours.
        Process shell = new ProcessBuilder("sh", "-c", "sleep 1000 </dev/null >/dev/null 2>&1 & echo $!")
                .redirectErrorStream(true).start();
        String grandchild = new String(shell.getInputStream().readAllBytes()).strip();
        shell.waitFor();
        Path ready = Path.of(args[0]);
        Path temp = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(temp, "ready " + grandchild + "\n");
        Files.move(temp, ready); // whole, or not there
        Thread.sleep(Long.MAX_VALUE);
    }
}
