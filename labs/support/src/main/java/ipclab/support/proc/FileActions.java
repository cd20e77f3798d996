package ipclab.support.proc;

import ipclab.support.Downcall;
import ipclab.support.ErrnoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@code posix_spawn_file_actions_t}: the list of descriptor and directory changes the child makes,
 * in order, between fork and exec. The structure is opaque: C code knows only its size, so it gets a
 * generous block of memory here, and libc initialises and frees what it points to ({@link #close}).
 */
final class FileActions implements AutoCloseable {

    /** sizeof(posix_spawn_file_actions_t) is 80 bytes in glibc on 64-bit Linux; room for a larger one. */
    private static final long SIZE = 256;

    /** glibc 2.34 added it; without it, {@link #closeFrom} closes the descriptors open now, one by one. */
    static final boolean HAS_CLOSEFROM = LIBC.has("posix_spawn_file_actions_addclosefrom_np");

    private static final MethodHandle INIT = handle("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle DESTROY = handle("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = handle("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSE = handle("posix_spawn_file_actions_addclose", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** glibc 2.29 and later. */
    private static final MethodHandle ADD_CHDIR = handle("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ADD_CLOSEFROM = HAS_CLOSEFROM
            ? handle("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))
            : null;

    private final Arena arena;
    private final MemorySegment actions;

    private FileActions(Arena arena, MemorySegment actions) {
        this.arena = arena;
        this.actions = actions;
    }

    /** An empty list, in memory of {@code arena}; close it before the arena. */
    static FileActions create(Arena arena) throws ErrnoException {
        MemorySegment actions = arena.allocate(SIZE, 16);
        Downcall.returningError("posix_spawn_file_actions_init", "file actions", () -> (int) INIT.invokeExact(actions));
        return new FileActions(arena, actions);
    }

    /** The child makes {@code childFd} a copy of {@code fd}, without close-on-exec (also when the two are equal). */
    void dup2(int fd, int childFd) throws ErrnoException {
        Downcall.returningError("posix_spawn_file_actions_adddup2", "fd " + fd + " as fd " + childFd,
                () -> (int) ADD_DUP2.invokeExact(actions, fd, childFd));
    }

    /** The child closes {@code fd}; that it was not open is no failure (glibc ignores EBADF there). */
    void close(int fd) throws ErrnoException {
        Downcall.returningError("posix_spawn_file_actions_addclose", "fd " + fd, () -> (int) ADD_CLOSE.invokeExact(actions, fd));
    }

    /** The child changes its working directory to {@code dir}; a relative program path is then found from there. */
    void chdir(Path dir) throws ErrnoException {
        MemorySegment cDir = arena.allocateFrom(dir.toString());
        Downcall.returningError("posix_spawn_file_actions_addchdir_np", dir.toString(), () -> (int) ADD_CHDIR.invokeExact(actions, cDir));
    }

    /**
     * The child closes every descriptor from {@code first} up: those it was not given on purpose.
     * Whatever this process has open without close-on-exec (one a library forgot, one another thread
     * is between creating and marking) would otherwise live on in the child, and keep a pipe from
     * reaching EOF, a socket from closing, or a lock from being released, for as long as it runs.
     *
     * @param closefrom whether to use {@code addclosefrom_np}; {@code false} closes each descriptor
     *                  {@code /proc/self/fd} lists now, which misses one opened between the listing
     *                  and the spawn, but works on a glibc before 2.34
     */
    void closeFrom(int first, boolean closefrom) throws ErrnoException {
        if (closefrom) {
            Downcall.returningError("posix_spawn_file_actions_addclosefrom_np", "fd " + first,
                    () -> (int) ADD_CLOSEFROM.invokeExact(actions, first));
            return;
        }
        for (int fd : openDescriptors()) {
            if (fd >= first) {
                close(fd);
            }
        }
    }

    MemorySegment segment() {
        return actions;
    }

    /** posix_spawn_file_actions_destroy: frees the list libc allocated. */
    @Override
    public void close() {
        Downcall.cannotFail("posix_spawn_file_actions_destroy", () -> (int) DESTROY.invokeExact(actions));
    }

    private static List<Integer> openDescriptors() {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(p -> Integer.valueOf(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc/self/fd to close this process's descriptors in a child", e);
        }
    }

    /** These functions return their error number rather than set errno: no errno to capture. */
    private static MethodHandle handle(String name, FunctionDescriptor signature) {
        return LIBC.functionWithoutErrno(name, signature);
    }
}
