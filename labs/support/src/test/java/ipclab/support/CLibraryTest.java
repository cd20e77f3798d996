package ipclab.support;

import static ipclab.support.CLibrary.LIBC;
import static ipclab.support.CLibrary.LIBRT;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLibraryTest {

    @Test
    @DisplayName("a function the library lacks is an UnsatisfiedLinkError naming it and the library")
    void missingFunction() {
        FunctionDescriptor intToInt = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        assertThatThrownBy(() -> LIBC.function("ipclab_no_such_function", intToInt))
                .isInstanceOf(UnsatisfiedLinkError.class).hasMessage("ipclab_no_such_function not found in libc");
        assertThatThrownBy(() -> LIBRT.function("ipclab_no_such_function", intToInt))
                .isInstanceOf(UnsatisfiedLinkError.class).hasMessage("ipclab_no_such_function not found in libc.so.6 or librt.so.1");
    }

    @Test
    @DisplayName("LIBRT finds the message queue functions, and their errno is captured")
    void librtHasMessageQueues() throws Exception {
        MethodHandle mqUnlink = LIBRT.function("mq_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        String name = "/ipclab-support-test-no-such-queue";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            assertThatThrownBy(() -> Downcall.retryingEintr("mq_unlink", name, state -> (int) mqUnlink.invokeExact(state, cName)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                    .hasMessageStartingWith("mq_unlink(" + name + ") failed: ENOENT");
        }
    }

    @Test
    @DisplayName("a variadic handle passes the optional argument: open(2) with O_CREAT gets its mode")
    void variadicArgumentArrives(@TempDir Path dir) throws Exception {
        MethodHandle open = LIBC.variadic("open", 2, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        Path file = dir.resolve("created");
        int mode = 0604;
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(file.toString());
            int flags = Libc.O_CREAT | Libc.O_EXCL | Libc.O_WRONLY | Libc.O_CLOEXEC;
            fd = (int) Downcall.retryingEintr("open", file.toString(), state -> (int) open.invokeExact(state, cPath, flags, mode));
        }
        Libc.close(fd);
        assertThat((int) Files.getAttribute(file, "unix:mode") & 0777).isEqualTo(mode & ~umask());
    }

    /** This process's umask, as the kernel reports it (Linux 4.7 and later). */
    private static int umask() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Umask:"))
                .map(line -> Integer.parseInt(line.substring("Umask:".length()).trim(), 8))
                .findFirst().orElseThrow();
    }
}
