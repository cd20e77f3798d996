package ipclab.support;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    @DisplayName("each symbol has the number glibc gives that name (strerrorname_np)")
    void numbersMatchGlibc() {
        MethodHandle strerrorname;
        try {
            strerrorname = LIBC.functionWithoutErrno("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        } catch (UnsatisfiedLinkError olderThanGlibc232) {
            assumeTrue(false, "strerrorname_np needs glibc 2.32");
            return;
        }
        for (Errno errno : Errno.values()) {
            MemorySegment name = Downcall.cannotFail("strerrorname_np", () -> (MemorySegment) strerrorname.invokeExact(errno.code()));
            assertThat(name.reinterpret(32).getString(0)).as("glibc's name for %d", errno.code()).isEqualTo(errno.name());
        }
    }

    @Test
    @DisplayName("every number Linux uses, 1 to 133, has a symbol; others are said as numbers")
    void everyNumberHasASymbol() {
        assertThat(IntStream.rangeClosed(1, 133).filter(code -> code != 41 && code != 58))
                .allSatisfy(code -> assertThat(Errno.of(code)).as("errno %d", code).isNotNull());
        assertThat(Errno.ECONNABORTED.code()).isEqualTo(103);
        assertThat(Errno.symbolOf(103)).isEqualTo("ECONNABORTED");
        assertThat(Errno.of(134)).isNull();
        assertThat(Errno.symbolOf(134)).isEqualTo("errno 134");
    }
}
