package ipclab.lab02;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.lab02.TestKit.RawPipe;
import ipclab.support.Libc;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PipeCapacityTest {

    private static final String STEP = "Step 4: Measure the capacity";

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("the capacity fcntl(F_GETPIPE_SZ) reports is exactly what a non-blocking pipe takes before EAGAIN")
    void reportedAndMeasuredCapacityAgree() throws Exception {
        try (RawPipe pipe = RawPipe.open(Libc.O_NONBLOCK | Libc.O_CLOEXEC)) {
            int kernelSays = Libc.fcntl(pipe.writeFd, Libc.F_GETPIPE_SZ);
            assertThat(PipeCapacity.reported(pipe.writeFd))
                    .as("reported(write end) should be what fcntl(F_GETPIPE_SZ) says (%d bytes by default: 16 pages)", kernelSays)
                    .isEqualTo(kernelSays);
            assertThat(PipeCapacity.reported(pipe.readFd))
                    .as("reported(read end): both ends belong to one pipe, with one capacity")
                    .isEqualTo(kernelSays);

            int filled = PipeCapacity.fillUntilFull(pipe.writeFd);
            short revents = Libc.poll(pipe.writeFd, Libc.POLLOUT, 0);
            assertThat(revents & Libc.POLLOUT)
                    .as("after fillUntilFull the pipe should be full, so the kernel does not report POLLOUT (room to"
                            + " write); poll says %s: keep writing until write(2) fails with EAGAIN", Libc.pollEventNames(revents))
                    .isZero();
            assertThat(filled)
                    .as("fillUntilFull took %d bytes into a pipe of %d. Fewer? Every write that does not fit into the"
                            + " part-filled last page starts a new page: write PIPE_BUF (4096) bytes at a time", filled, kernelSays)
                    .isEqualTo(kernelSays);

            int probed = PipeCapacity.probe();
            assertThat(probed)
                    .as("probe() should fill a new non-blocking pipe of its own and count what fit (%d bytes)", kernelSays)
                    .isEqualTo(kernelSays);
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("fcntl(F_SETPIPE_SZ) rounds a pipe's size up to a power-of-two number of pages, and the pipe then holds that much")
    void resizeRoundsUpToPowerOfTwoPages() throws Exception {
        try (RawPipe pipe = RawPipe.open(Libc.O_NONBLOCK | Libc.O_CLOEXEC)) {
            int page = Libc.fcntl(pipe.writeFd, Libc.F_SETPIPE_SZ, 1); // the kernel rounds 1 byte up to one page
            int pages = (100_000 + page - 1) / page;
            int expected = page * (Integer.highestOneBit(pages - 1) << 1);

            int resized = PipeCapacity.resize(pipe.writeFd, 100_000);
            assertThat(resized)
                    .as("resize(fd, 100000) should return the size the kernel chose: 100000 bytes are %d pages of %d bytes,"
                            + " rounded up to a power of two, %d bytes", pages, page, expected)
                    .isEqualTo(expected);
            assertThat(Libc.fcntl(pipe.writeFd, Libc.F_GETPIPE_SZ))
                    .as("after resize the kernel should report the new size: use fcntl(F_SETPIPE_SZ)")
                    .isEqualTo(expected);
            assertThat(PipeCapacity.fillUntilFull(pipe.writeFd))
                    .as("fillUntilFull on the resized pipe should measure it (%d bytes), not assume the default size", expected)
                    .isEqualTo(expected);
        }
    }
}
