package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FdInfo reads /proc/PID/fdinfo/N")
class FdInfoTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("flags are parsed as octal: the access mode, O_APPEND, O_CLOEXEC, and O_NONBLOCK once set")
    void flags() throws Exception {
        int fd = Libc.open(dir.resolve("log.txt"), Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0600);
        try {
            int flags = FdInfo.flags(fd);
            assertThat(flags & Libc.O_ACCMODE).isEqualTo(Libc.O_WRONLY);
            assertThat(flags & (Libc.O_APPEND | Libc.O_CLOEXEC | Libc.O_NONBLOCK)).isEqualTo(Libc.O_APPEND | Libc.O_CLOEXEC);
            Libc.fcntl(fd, Libc.F_SETFL, Libc.fcntl(fd, Libc.F_GETFL) | Libc.O_NONBLOCK);
            assertThat(FdInfo.flags(fd) & Libc.O_NONBLOCK).isEqualTo(Libc.O_NONBLOCK);
            assertThat(FdInfo.describeFlags(FdInfo.flags(fd))).isEqualTo("O_WRONLY | O_NONBLOCK | O_CLOEXEC");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    @DisplayName("pos is the offset write(2) and lseek(2) moved")
    void pos() throws Exception {
        int fd = Libc.open(dir.resolve("data.txt"), Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0600);
        try {
            assertThat(FdInfo.pos(fd)).isZero();
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            Libc.write(fd, hello, 0, hello.length);
            assertThat(FdInfo.pos(fd)).isEqualTo(5);
            Libc.lseek(fd, 2, Libc.SEEK_SET);
            assertThat(FdInfo.pos(fd)).isEqualTo(2);
            assertThat(FdInfo.field(ProcessHandle.current().pid(), fd, "pos")).isEqualTo("2");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    @DisplayName("a descriptor that is not open, or a field fdinfo does not have, is an IOException")
    void missing() throws Exception {
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        Libc.close(pipe[1]);
        try {
            assertThatThrownBy(() -> FdInfo.field(ProcessHandle.current().pid(), pipe[0], "no_such_field"))
                    .isInstanceOf(IOException.class).hasMessageContaining("no_such_field");
        } finally {
            Libc.close(pipe[0]);
        }
        assertThatThrownBy(() -> FdInfo.field(ProcessHandle.current().pid(), 99_999, "pos")).isInstanceOf(IOException.class);
    }
}
