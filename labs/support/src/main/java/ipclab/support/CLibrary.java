package ipclab.support;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * A C library whose functions Java can call: finds a function by name and makes a
 * {@link MethodHandle} that calls it (a <em>downcall handle</em>, in the words of the Foreign
 * Function &amp; Memory API). Every lab's native calls are made here, so this is the only place that
 * talks to the {@link Linker}.
 *
 * <p>A C function has no Java signature of its own: the {@link FunctionDescriptor} tells the linker
 * which C types it takes and returns, in order, e.g. for {@code int pipe2(int fds[2], int flags)}:
 * <pre>{@code
 * MethodHandle PIPE2 = CLibrary.LIBC.function("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
 * }</pre>
 *
 * <p>The handles of {@link #function} and {@link #variadic} capture {@code errno}: the JVM copies it
 * into a small buffer the moment the function returns, before its own work (a safepoint, a garbage
 * collection, a class being loaded) can make another call that overwrites it. That buffer is an
 * extra first argument of the handle; {@link Downcall} supplies it and reads errno from it.
 */
@SuppressWarnings("restricted") // making downcall handles and loading librt need --enable-native-access, which the course's JVM flags give
public final class CLibrary {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * The C library the JVM itself runs on (glibc's libc.so.6), through the linker's default lookup:
     * every function a C program gets without asking for another library.
     */
    public static final CLibrary LIBC = new CLibrary("libc", LINKER.defaultLookup());

    /**
     * The POSIX real-time functions ({@code mq_open} and friends). glibc 2.34 moved them into libc
     * itself; older versions keep them in librt.so.1, which is loaded only when libc lacks a function.
     */
    public static final CLibrary LIBRT = new CLibrary("libc.so.6 or librt.so.1",
            name -> LIBC.symbols.find(name).or(() -> Librt.SYMBOLS.find(name)));

    private final String description;
    private final SymbolLookup symbols;

    private CLibrary(String description, SymbolLookup symbols) {
        this.description = description;
        this.symbols = symbols;
    }

    /**
     * A handle for the C function {@code name} that captures errno: call it through
     * {@link Downcall#retryingEintr} or {@link Downcall#attempt}.
     *
     * @throws UnsatisfiedLinkError when this library has no function of that name
     */
    public MethodHandle function(String name, FunctionDescriptor signature) {
        return LINKER.downcallHandle(find(name), signature, CAPTURE_ERRNO);
    }

    /**
     * As {@link #function}, for a variadic C function such as {@code int fcntl(int fd, int cmd, ...)}:
     * {@code signature} lists the arguments of the calls this handle makes, and the first
     * {@code fixedArguments} of them are the named ones (2 for fcntl). The linker must know where the
     * "..." begins: some processors' calling conventions pass those arguments differently.
     */
    public MethodHandle variadic(String name, int fixedArguments, FunctionDescriptor signature) {
        return LINKER.downcallHandle(find(name), signature, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(fixedArguments));
    }

    /**
     * A handle for a C function that cannot fail, such as {@code getpid} or {@code strerror}: no errno
     * to capture, so no extra first argument. Call it through {@link Downcall#cannotFail}.
     */
    public MethodHandle functionWithoutErrno(String name, FunctionDescriptor signature) {
        return LINKER.downcallHandle(find(name), signature);
    }

    /**
     * True when this library has a function called {@code name}: for one that only newer versions
     * have (glibc 2.34 added {@code posix_spawn_file_actions_addclosefrom_np}), so that a caller can
     * take another way on an older one.
     */
    public boolean has(String name) {
        return symbols.find(name).isPresent();
    }

    private MemorySegment find(String name) {
        return symbols.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name + " not found in " + description));
    }

    @Override
    public String toString() {
        return description;
    }

    /** librt.so.1, opened on first use; the global arena keeps it loaded for as long as the JVM runs. */
    private static final class Librt {
        static final SymbolLookup SYMBOLS = SymbolLookup.libraryLookup("librt.so.1", Arena.global());
    }
}
