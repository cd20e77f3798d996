package ipclab.lab01;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Steps 6 and 7: what lives in the open file description, and what in the descriptor. */
@Timeout(10)
class SharedStateTest {

    @Test
    @DisplayName("a read through a dup moves the offset of the original; a second open keeps an offset of its own")
    @Graded(points = 7, handout = "Step 6: Watch a shared offset move")
    void offsetIsShared(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("digits.txt"), "0123456789abcdef");
        try (TestFds fds = new TestFds()) {
            int original = fds.open(file, Libc.O_RDONLY);
            int copy = fds.keep(Libc.dup(original));
            int separate = fds.open(file, Libc.O_RDONLY);

            byte[] four = new byte[4];
            assertThat(Libc.read(copy, four, 0, 4)).isEqualTo(4);
            assertThat(offset(copy)).as("offset of fd %d after read(fd %d, 4 bytes): fdinfo's pos:", copy, copy).isEqualTo(4);
            assertThat(offset(original))
                    .as("offset of fd %d after reading 4 bytes through its dup fd %d: the offset lives in the "
                            + "open file description both share, so it moved for both", original, copy)
                    .isEqualTo(4);
            assertThat(offset(separate))
                    .as("offset of fd %d, a second open() of the file: an open file description of its own, "
                            + "whose offset nobody moved", separate)
                    .isZero();

            Libc.lseek(separate, 10, Libc.SEEK_SET);
            assertThat(offset(separate)).as("offset of fd %d after lseek(fd %d, 10, SEEK_SET)", separate, separate)
                    .isEqualTo(10);
            assertThat(offset(original)).as("offset of fd %d after an lseek on the unrelated fd %d", original, separate)
                    .isEqualTo(4);

            fds.closeNow(original);
            assertThat(offset(copy))
                    .as("offset of fd %d after its original fd %d was closed: an open file description lives on "
                            + "while any descriptor refers to it", copy, original)
                    .isEqualTo(4);
        }
    }

    @Test
    @DisplayName("FD_CLOEXEC belongs to one descriptor, O_NONBLOCK to the open file description all its dups share")
    @Graded(points = 5, handout = "Step 7: Descriptor flags and status flags")
    void descriptorFlagsAndStatusFlags(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "notes");
        try (TestFds fds = new TestFds()) {
            int cloexec = fds.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC);
            int plainDup = fds.keep(Libc.dup(cloexec));
            int cloexecDup = fds.keep(Libc.fcntl(cloexec, Libc.F_DUPFD_CLOEXEC, 0));
            int plain = fds.open(file, Libc.O_RDONLY);

            assertThat(entry(cloexec).closeOnExec()).as("closeOnExec() of fd %d, opened with O_CLOEXEC", cloexec).isTrue();
            assertThat(entry(plain).closeOnExec()).as("closeOnExec() of fd %d, opened without O_CLOEXEC", plain).isFalse();
            assertThat(entry(plainDup).closeOnExec())
                    .as("closeOnExec() of fd %d = dup(%d): FD_CLOEXEC is a flag of the descriptor, and dup(2) "
                            + "always makes the new descriptor without it", plainDup, cloexec)
                    .isFalse();
            assertThat(entry(cloexecDup).closeOnExec())
                    .as("closeOnExec() of fd %d = fcntl(%d, F_DUPFD_CLOEXEC)", cloexecDup, cloexec)
                    .isTrue();
            Libc.fcntl(plain, Libc.F_SETFD, Libc.FD_CLOEXEC);
            assertThat(entry(plain).closeOnExec())
                    .as("closeOnExec() of fd %d after fcntl(%d, F_SETFD, FD_CLOEXEC)", plain, plain)
                    .isTrue();

            Libc.fcntl(cloexec, Libc.F_SETFL, Libc.fcntl(cloexec, Libc.F_GETFL) | Libc.O_NONBLOCK);
            assertThat(entry(plainDup).nonBlocking())
                    .as("nonBlocking() of fd %d after fcntl(%d, F_SETFL, O_NONBLOCK) on its original: status flags "
                            + "live in the open file description, which both share", plainDup, cloexec)
                    .isTrue();
            assertThat(entry(plain).nonBlocking())
                    .as("nonBlocking() of fd %d, a separate open() of the same file", plain)
                    .isFalse();
        }
    }

    private static FdEntry entry(int fd) throws IOException {
        return FdTable.read(TestFds.SELF, fd);
    }

    private static long offset(int fd) throws IOException {
        return entry(fd).offset();
    }
}
