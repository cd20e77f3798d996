package ipclab.lab04;

import ipclab.support.RunTag;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
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
        throw new UnsupportedOperationException("TODO: open the file with CREATE_NEW, READ, WRITE; FileChannel.map(MapMode.READ_WRITE, 0, size, Arena.ofShared()) (mmap MAP_SHARED); close the channel; return an owning region");
    }

    /** Maps all of an existing file shared and writable, for example one another process created. */
    public static SharedRegion open(Path file) throws IOException {
        throw new UnsupportedOperationException("TODO: open the existing file READ, WRITE and map all of it (its size) with FileChannel.map(MapMode.READ_WRITE, ...) into a shared Arena; close the channel");
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
        throw new UnsupportedOperationException("TODO: close the arena once (munmap(2)); if this region created the file, delete it too (as shm_unlink does)");
    }

    @Override
    public String toString() {
        return "shared region " + file + " (" + segment.byteSize() + " bytes" + (mapped.get() ? ")" : ", unmapped)");
    }
}
