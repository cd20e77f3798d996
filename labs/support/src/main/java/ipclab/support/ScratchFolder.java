package ipclab.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary folder of a demo's or a benchmark's own, removed with everything in it when closed,
 * and also when the JVM is stopped mid-run with Ctrl-C: shutdown hooks run then, finally blocks do
 * not, and a live demo is often stopped that way.
 *
 * <pre>{@code
 * try (ScratchFolder dir = ScratchFolder.create("ipclab-fifos-")) {
 *     Path fifo = dir.resolve("requests");
 * }
 * }</pre>
 */
public final class ScratchFolder implements AutoCloseable {

    private final Path path;
    private final Thread onShutdown;

    private ScratchFolder(Path path) {
        this.path = path;
        this.onShutdown = new Thread(() -> {
            try {
                removeAll(path);
            } catch (IOException | UncheckedIOException e) {
                // Best effort on the way out.
            }
        }, "remove " + path);
    }

    /** A new, empty folder under java.io.tmpdir whose name starts with {@code prefix}. */
    public static ScratchFolder create(String prefix) throws IOException {
        ScratchFolder folder = new ScratchFolder(Files.createTempDirectory(prefix));
        Runtime.getRuntime().addShutdownHook(folder.onShutdown);
        return folder;
    }

    public Path path() {
        return path;
    }

    /** A path in the folder. */
    public Path resolve(String name) {
        return path.resolve(name);
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /** Removes the folder and everything in it. */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook removes it.
        }
        removeAll(path);
    }

    private static void removeAll(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
