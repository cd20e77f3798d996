package ipclab.lab02;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the lab 02 tests share: raw pipes, and what the kernel says about a pipe and its writers. */
final class TestKit {

    private TestKit() {
    }

    /**
     * A pipe made with {@link Libc#pipe2} directly, so that the tests of later steps do not depend
     * on your {@link Pipe}. Closing it closes only ends that still refer to this very pipe: the
     * code under test may have closed one already, and its number may belong to something else.
     */
    static final class RawPipe implements AutoCloseable {
        final int readFd;
        final int writeFd;
        final String name;

        private RawPipe(int readFd, int writeFd) {
            this.readFd = readFd;
            this.writeFd = writeFd;
            this.name = FdTargets.target(readFd);
        }

        static RawPipe open(int flags) throws ErrnoException {
            int[] ends = Libc.pipe2(flags);
            return new RawPipe(ends[0], ends[1]);
        }

        void closeWriteEnd() throws ErrnoException {
            closeIfStill(writeFd, name);
        }

        void closeReadEnd() throws ErrnoException {
            closeIfStill(readFd, name);
        }

        @Override
        public void close() throws ErrnoException {
            // Write end first: a thread still blocked reading then sees end of file and finishes.
            closeWriteEnd();
            closeReadEnd();
        }
    }

    /** Closes {@code fd} only if it still refers to {@code target} ({@code pipe:[4711]}). */
    static void closeIfStill(int fd, String target) throws ErrnoException {
        if (fd >= 0 && target != null && target.equals(FdTargets.target(fd))) {
            Libc.close(fd);
        }
    }

    /** The number of write(2) calls this thread has made, from /proc/thread-self/io; -1 when the kernel does not count them. */
    static long writeCallsOfThisThread() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
                if (line.startsWith("syscw:")) {
                    return Long.parseLong(line.substring("syscw:".length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Kernels without per-task I/O accounting have no such file.
        }
        return -1;
    }
}
