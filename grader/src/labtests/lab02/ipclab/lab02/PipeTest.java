package ipclab.lab02;

import static ipclab.lab02.TestKit.closeIfStill;
import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PipeTest {

    private static final String STEP = "Step 1: Open a pipe";

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("Pipe.open makes one pipe: a read-only read end, a write-only write end, and the flags asked for")
    void opensBothEndsOfOnePipe() throws Exception {
        int readFd = -1;
        int writeFd = -1;
        String pipeName = null;
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            readFd = pipe.readFd();
            writeFd = pipe.writeFd();
            pipeName = FdTargets.target(readFd);
            assertThat(pipeName)
                    .as("/proc/self/fd/%d should point to a pipe (pipe:[inode]); it points to %s", readFd, pipeName)
                    .isNotNull().matches("pipe:\\[\\d+\\]");
            assertThat(FdTargets.target(writeFd))
                    .as("both ends should belong to the same pipe: fd %d is %s but fd %d is %s", readFd, pipeName, writeFd, FdTargets.target(writeFd))
                    .isEqualTo(pipeName);
            assertThat(Libc.fcntl(readFd, Libc.F_GETFL) & Libc.O_ACCMODE)
                    .as("readFd() (fd %d) should be the read end, opened O_RDONLY: pipe2 fills element 0 with the read end and element 1 with the write end", readFd)
                    .isEqualTo(Libc.O_RDONLY);
            assertThat(Libc.fcntl(writeFd, Libc.F_GETFL) & Libc.O_ACCMODE)
                    .as("writeFd() (fd %d) should be the write end, opened O_WRONLY", writeFd)
                    .isEqualTo(Libc.O_WRONLY);
            for (int fd : new int[] {readFd, writeFd}) {
                assertThat(Libc.fcntl(fd, Libc.F_GETFD) & Libc.FD_CLOEXEC)
                        .as("fd %d should have FD_CLOEXEC: Pipe.open(O_CLOEXEC) must pass its flags to pipe2", fd)
                        .isEqualTo(Libc.FD_CLOEXEC);
                assertThat(Libc.fcntl(fd, Libc.F_GETFL) & Libc.O_NONBLOCK)
                        .as("fd %d should be blocking: O_NONBLOCK was not asked for", fd)
                        .isZero();
            }
            byte[] hello = "through the kernel".getBytes(StandardCharsets.UTF_8);
            Libc.write(writeFd, hello, 0, hello.length);
            byte[] got = new byte[hello.length];
            assertThat(Libc.read(readFd, got, 0, got.length)).isEqualTo(hello.length);
            assertThat(got).as("what was written to the write end should come out of the read end").isEqualTo(hello);
        } finally {
            closeIfStill(writeFd, pipeName);
            closeIfStill(readFd, pipeName);
        }

        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC | Libc.O_NONBLOCK)) {
            readFd = pipe.readFd();
            writeFd = pipe.writeFd();
            pipeName = FdTargets.target(readFd);
            for (int fd : new int[] {readFd, writeFd}) {
                assertThat(Libc.fcntl(fd, Libc.F_GETFL) & Libc.O_NONBLOCK)
                        .as("fd %d should be non-blocking after Pipe.open(O_CLOEXEC | O_NONBLOCK)", fd)
                        .isEqualTo(Libc.O_NONBLOCK);
            }
        } finally {
            closeIfStill(writeFd, pipeName);
            closeIfStill(readFd, pipeName);
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("each end is closed exactly once, so a descriptor number reused by someone else is never closed by mistake")
    void closesEachEndExactlyOnce() throws Exception {
        Pipe pipe = Pipe.open(Libc.O_CLOEXEC);
        int readFd = pipe.readFd();
        int writeFd = pipe.writeFd();
        String pipeName = FdTargets.target(readFd);
        try {
            pipe.closeWriteEnd();
            assertThat(FdTargets.target(writeFd))
                    .as("after closeWriteEnd(), fd %d should no longer be the pipe's write end", writeFd)
                    .isNotEqualTo(pipeName);
            assertThat(FdTargets.target(readFd))
                    .as("closeWriteEnd() should leave the read end (fd %d) open", readFd)
                    .isEqualTo(pipeName);
            short revents = Libc.poll(readFd, Libc.POLLIN, 0);
            assertThat(revents & Libc.POLLHUP)
                    .as("with its only write end closed, the kernel reports POLLHUP on the read end; poll says %s", Libc.pollEventNames(revents))
                    .isNotZero();
            assertThat(pipe.writeEndOpen()).as("writeEndOpen() after closeWriteEnd()").isFalse();
            assertThat(pipe.readEndOpen()).as("readEndOpen() after closeWriteEnd()").isTrue();

            // The kernel gives a new descriptor the lowest free number: most likely the one just freed.
            try (TestKit.RawPipe stranger = TestKit.RawPipe.open(Libc.O_CLOEXEC)) {
                try {
                    pipe.closeWriteEnd();
                    pipe.close();
                    pipe.close();
                } catch (ErrnoException e) {
                    if (e.is(Errno.EBADF)) {
                        throw new AssertionError("an end was closed twice: " + e.getMessage() + ". Remember which ends"
                                + " are closed, and close each at most once: had the number been reused, a second close"
                                + " would have closed someone else's descriptor", e);
                    }
                    throw e;
                }
                for (int fd : new int[] {stranger.readFd, stranger.writeFd}) {
                    assertThat(FdTargets.target(fd))
                            .as("fd %d was opened by someone else after the write end (fd %d) was closed, and your Pipe"
                                    + " closed it: closeWriteEnd() again and close() must not close an end twice", fd, writeFd)
                            .isEqualTo(stranger.name);
                }
            }
            assertThat(FdTargets.target(readFd))
                    .as("close() should close the read end (fd %d), which was still open", readFd)
                    .isNotEqualTo(pipeName);
            assertThat(pipe.readEndOpen()).as("readEndOpen() after close()").isFalse();
        } finally {
            closeIfStill(writeFd, pipeName);
            closeIfStill(readFd, pipeName);
        }
    }
}
