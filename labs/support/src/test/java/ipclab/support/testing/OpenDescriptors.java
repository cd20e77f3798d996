package ipclab.support.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What /proc/self/fd lists: the descriptors this process has open. */
public final class OpenDescriptors {

    private OpenDescriptors() {
    }

    /** How many descriptors are open (the listing's own, open while it is read, not counted). */
    public static long count() {
        try (Stream<Path> links = Files.list(Path.of("/proc/self/fd"))) {
            return links.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
