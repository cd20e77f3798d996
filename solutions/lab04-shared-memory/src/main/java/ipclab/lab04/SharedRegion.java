package ipclab.lab04;

import ipclab.support.RunTag;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file mapped into this process with {@code mmap(MAP_SHARED)}, as a {@link MemorySegment}. Every
 * process that maps the same file sees the same physical pages: a store by one is a load away for
 * the others, with no system call in between.
 *
 * <p>The creator of a region owns its name: closing that region unmaps it <em>and</em> removes the
 * file (as {@code shm_unlink} would). A region opened with {@link #open} only unmaps. Processes that
 * still have it mapped keep their pages after the name is gone; the memory is freed when the last
 * mapping goes.
 */
public final class SharedRegion implements AutoCloseable {

    private final Path file;
    private final Arena arena;
    private final MemorySegment segment;
    private final boolean ownsFile;
    private final AtomicBoolean mapped = new AtomicBoolean(true);

    private SharedRegion(Path file, Arena arena, MemorySegment segment, boolean ownsFile) {
        this.file = file;
        this.arena = arena;
        this.segment = segment;
        this.ownsFile = ownsFile;
    }

    /**
     * A fresh name for a region in {@code /dev/shm} (a tmpfs: the pages live in memory only, never
     * on a disk), unique per run and call: {@code /dev/shm/ipclab-<run tag>-<purpose>-<random>}
     * (see {@link RunTag}: under the grader the tag marks the run, elsewhere it is the pid).
     */
    public static Path newShmPath(String purpose) {
        return Path.of("/dev/shm", RunTag.uniqueName(purpose));
    }

    /**
     * Creates {@code file} (it must not exist yet), makes it {@code size} bytes long, and maps all of
     * it shared and writable. The new bytes are zero. Closing the region removes the file.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists already
     */
    public static SharedRegion create(Path file, long size) throws IOException {
        if (size <= 0) {
            throw new IllegalArgumentException("a shared region needs at least one byte, not " + size);
        }
        // CREATE_NEW: a file left over from a crashed run must not be reused unknowingly.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return map(channel, file, size, true);
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof java.nio.file.FileAlreadyExistsException)) {
                Files.deleteIfExists(file); // we created it; do not leave half a region behind
            }
            throw e;
        }
    }

    /** Maps all of an existing file shared and writable, for example one another process created. */
    public static SharedRegion open(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size == 0) {
                throw new IOException(file + " is empty: its creator has not sized it yet (or it is not a shared region)");
            }
            return map(channel, file, size, false);
        }
    }

    /**
     * mmap(2) through the channel. MapMode.READ_WRITE is MAP_SHARED: stores go to the file's pages in
     * the page cache, which every mapping of the file shares (MapMode.PRIVATE would be MAP_PRIVATE:
     * copy-on-write pages nobody else sees). For a file shorter than {@code size}, the JDK extends it
     * first. The caller closes the channel afterwards: the mapping keeps its own reference to the file.
     */
    private static SharedRegion map(FileChannel channel, Path file, long size, boolean ownsFile) throws IOException {
        // A shared arena: any thread may use the segment, and close() unmaps at once (munmap),
        // rather than whenever the garbage collector gets to it.
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment = channel.map(MapMode.READ_WRITE, 0, size, arena);
            return new SharedRegion(file, arena, segment, ownsFile);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The mapped bytes; valid until {@link #close()}. */
    public MemorySegment segment() {
        if (!mapped.get()) {
            throw new IllegalStateException(file + " is unmapped: the region is closed");
        }
        return segment;
    }

    public Path file() {
        return file;
    }

    public long size() {
        return segment.byteSize();
    }

    /** True for the region {@link #create} made: closing it removes the file. */
    public boolean ownsFile() {
        return ownsFile;
    }

    /** Unmaps the region (once); the creator also removes the file. */
    @Override
    public void close() throws IOException {
        if (mapped.compareAndSet(true, false)) {
            try {
                arena.close(); // munmap(2): the segment is invalid from here on, in every thread
            } finally {
                if (ownsFile) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "shared region " + file + " (" + segment.byteSize() + " bytes" + (mapped.get() ? ")" : ", unmapped)");
    }
}
