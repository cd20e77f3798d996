package ipclab.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.testing.NewSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibcTest {

    @Test
    @DisplayName("pipe2 gives a read end and a write end; bytes written come out of the other end")
    void pipeRoundTrip() throws Exception {
        int[] fds = Libc.pipe2(Libc.O_CLOEXEC);
        try {
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            assertThat(Libc.write(fds[1], hello, 0, hello.length)).isEqualTo(5);
            byte[] buffer = new byte[16];
            assertThat(Libc.read(fds[0], buffer, 0, buffer.length)).isEqualTo(5);
            assertThat(new String(buffer, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(Libc.fcntl(fds[0], Libc.F_GETFD) & Libc.FD_CLOEXEC).isEqualTo(Libc.FD_CLOEXEC);
            assertThat(Libc.fcntl(fds[0], Libc.F_GETPIPE_SZ)).isEqualTo(65536);
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }

    @Test
    @DisplayName("a failed call names the call, the errno, libc's text and what it means")
    void errnoIsExplained() throws Exception {
        int[] fds = Libc.pipe2(Libc.O_CLOEXEC);
        Libc.close(fds[0]);
        try {
            assertThatThrownBy(() -> Libc.write(fds[1], new byte[1], 0, 1))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EPIPE);
                        assertThat(e.call()).isEqualTo("write");
                    })
                    .hasMessageStartingWith("write(fd " + fds[1] + ", 1 bytes) failed: EPIPE (Broken pipe): every read end");
        } finally {
            Libc.close(fds[1]);
        }
        assertThatThrownBy(() -> Libc.close(fds[1]))
                .hasMessageContaining("EBADF (Bad file descriptor): that descriptor number is not open");
    }

    @Test
    @DisplayName("dup shares the open file description (kcmp says 0); a second open does not")
    void kcmpTellsOpenFileDescriptionsApart(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "0123456789");
        int first = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        int copy = Libc.dup(first);
        int second = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            int pid = Libc.getpid();
            assertThat(pid).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(Libc.kcmp(pid, pid, Libc.KCMP_FILE, first, copy)).isZero();
            assertThat(Libc.kcmp(pid, pid, Libc.KCMP_FILE, first, second)).isNotZero();
            Libc.read(first, new byte[4], 0, 4);
            assertThat(Libc.lseek(copy, 0, Libc.SEEK_CUR)).as("the offset lives in the shared description").isEqualTo(4);
            assertThat(Libc.lseek(second, 0, Libc.SEEK_CUR)).isZero();
        } finally {
            Libc.close(first);
            Libc.close(copy);
            Libc.close(second);
        }
    }

    @Test
    @DisplayName("poll reports POLLHUP on a read end once every write end is closed")
    void pollSeesHangUp() throws Exception {
        int[] fds = Libc.pipe2(Libc.O_CLOEXEC);
        try {
            assertThat(Libc.poll(fds[0], Libc.POLLIN, 0)).isZero();
            Libc.close(fds[1]);
            assertThat(Libc.poll(fds[0], Libc.POLLIN, 0) & Libc.POLLHUP).isEqualTo(Libc.POLLHUP);
        } finally {
            Libc.close(fds[0]);
        }
    }

    @Test
    @DisplayName("mkfifo makes a FIFO; a non-blocking open for writing without a reader gets ENXIO")
    void fifo(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Libc.mkfifo(fifo, 0600);
        assertThat(Files.getAttribute(fifo, "unix:mode")).satisfies(m -> assertThat((Integer) m & 0170000).isEqualTo(0010000));
        assertThatThrownBy(() -> Libc.open(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO))
                .hasMessageContaining("no process has this FIFO open for reading");
        assertThatThrownBy(() -> Libc.mkfifo(fifo, 0600)).hasMessageContaining("EEXIST");
    }

    @Test
    @DisplayName("kill with signal 0 checks a process exists; a reaped pid gives ESRCH")
    void killChecksExistence() throws Exception {
        Libc.kill(ProcessHandle.current().pid(), 0);
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThatThrownBy(() -> Libc.kill(p.pid(), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ESRCH)).isTrue());
    }

    @Test
    @DisplayName("setsid makes a new session and group led by the caller; a group leader gets EPERM")
    void setsid() throws Exception {
        // In a child JVM: a session of its own would take this test JVM away from its terminal for good.
        String said = ChildJvm.main(NewSession.class).run(Duration.ofSeconds(30)).stdout();
        assertThat(said.lines()).containsExactly(
                "before: session leader false, group leader false",
                "after: session leader true, group leader true, setsid returned my pid",
                "setsid(this process) failed: EPERM (Operation not permitted): this process leads a process group already,"
                        + " and a group leader cannot start a session");
    }

    @Test
    @DisplayName("umask takes permission bits away from every file created after it, and returns the previous mask")
    void umask(@TempDir Path dir) throws Exception {
        int previous = Libc.umask(077);
        try {
            Path file = Files.createFile(dir.resolve("private"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        } finally {
            assertThat(Libc.umask(previous)).isEqualTo(077);
        }
    }

    @Test
    @DisplayName("sysconf gives the clock tick rate and the page size that /proc's numbers are counted in")
    void sysconf() throws Exception {
        assertThat(Libc.sysconf(Libc._SC_CLK_TCK)).as("USER_HZ, 100 on x86-64 and arm64").isEqualTo(100);
        long page = Libc.sysconf(Libc._SC_PAGESIZE);
        assertThat(page).isGreaterThanOrEqualTo(4096);
        assertThat(Long.bitCount(page)).as("a power of two").isEqualTo(1);
        assertThatThrownBy(() -> Libc.sysconf(-1))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
    }

    @Test
    @DisplayName("poll(2) events read as their names")
    void pollEventNames() {
        assertThat(Libc.pollEventNames((short) 0)).isEqualTo("no events");
        assertThat(Libc.pollEventNames((short) (Libc.POLLIN | Libc.POLLHUP))).isEqualTo("POLLIN | POLLHUP");
    }
}
