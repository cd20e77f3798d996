package ipclab.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Removing a folder and everything below it, whatever student code built there. Java's path-based
 * walk fails with "File name too long" on a tree deeper than PATH_MAX, which a lab can build in a
 * loop of mkdir and cd; {@code rm -rf} walks with openat(2) and unlinkat(2) and removes it.
 */
public final class Trees {

    /** How long one removal may take: a runaway tree can hold millions of entries. */
    private static final Duration RM_DEADLINE = Duration.ofSeconds(60);

    private Trees() {
    }

    /**
     * Deletes {@code p} and, for a folder, everything below it: never following a link, never
     * leaving the file system. Nothing to do when {@code p} does not exist.
     *
     * @throws IOException when something could not be removed, with rm's first complaint
     */
    public static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Process rm = new ProcessBuilder("rm", "-rf", "--one-file-system", "--", p.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String complaint;
        try (InputStream out = rm.getInputStream()) {
            complaint = new String(out.readNBytes(300), StandardCharsets.UTF_8).strip();
            if (!rm.waitFor(RM_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                rm.destroyForcibly();
                throw new IOException("rm -rf " + shorten(p) + " took longer than " + RM_DEADLINE.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            rm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while removing " + shorten(p), e);
        }
        if (rm.exitValue() != 0) {
            throw new IOException("rm -rf " + shorten(p) + " failed: " + complaint.lines().findFirst().orElse("exit status "
                    + rm.exitValue()));
        }
    }

    /** A path as a message shows it: student code can make one thousands of characters long. */
    private static String shorten(Path p) {
        String s = p.toString();
        return s.length() <= 160 ? s : s.substring(0, 159) + "…";
    }
}
