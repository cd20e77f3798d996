package ipclab.lab02;

import static org.assertj.core.api.Assertions.fail;

import ipclab.testkit.Await;
import ipclab.testkit.Children;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.ProcessTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the lab 02 tests share: raw pipes, deadlines, and checks on what the kernel sees. */
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
            this.name = link(readFd);
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

    /** What /proc/self/fd/N points to ({@code pipe:[4711]}), or {@code null} when fd N is not open. */
    static String link(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Closes {@code fd} only if it still refers to {@code target}. */
    static void closeIfStill(int fd, String target) throws ErrnoException {
        if (fd >= 0 && target != null && target.equals(link(fd))) {
            Libc.close(fd);
        }
    }

    /** This process's pipe descriptors, as "fd -> pipe:[inode]". */
    static Set<String> pipeDescriptors() {
        Set<String> pipes = new HashSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                String target = link(Integer.parseInt(entry.getFileName().toString()));
                if (target != null && target.startsWith("pipe:")) {
                    pipes.add(entry.getFileName() + " -> " + target);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return pipes;
    }

    /** Pipe descriptors open now that were not open {@code before}. */
    static Set<String> newPipeDescriptors(Set<String> before) {
        Set<String> now = pipeDescriptors();
        now.removeAll(before);
        return now;
    }

    /** The pids of this JVM's descendants that have not ended (or not been waited for) yet. */
    static Set<Long> liveDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Descendants alive now that were not alive {@code before}, described for a failure message. */
    static List<String> newDescendants(Set<Long> before) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !before.contains(p.pid()))
                .map(p -> p.pid() + " (" + ProcessTree.describe(p, 60) + ")").toList();
    }

    /** Kills every child started since {@code before} was taken ({@link Children#killNewDescendants}). */
    static void killNewDescendants(Set<Long> before) {
        Children.killNewDescendants(before);
    }

    /** Runs {@code work} on a platform thread of its own ({@link Await#onNewThread}). */
    static <T> CompletableFuture<T> onNewThread(Callable<T> work) {
        return Await.onNewThread("lab02-test-worker", work);
    }

    /** Runs {@code work} on a thread of its own and waits for it; {@link #await} says what happens then. */
    static <T> T within(Duration deadline, String whenItHangs, Callable<T> work) throws Exception {
        return await(onNewThread(work), deadline, whenItHangs);
    }

    /** Waits for {@code target} by the deadline ({@link Await#await}). */
    static <T> T await(CompletableFuture<T> target, Duration deadline, String whenItHangs,
                       CompletableFuture<?>... companions) throws Exception {
        return Await.await(target, deadline, whenItHangs, companions);
    }

    /** Reads {@code fd} to end of file with read(2) directly (not your PipeIo). */
    static byte[] readAllRaw(int fd) throws ErrnoException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = Libc.read(fd, chunk, 0, chunk.length)) > 0) {
            all.write(chunk, 0, n);
        }
        return all.toByteArray();
    }

    static byte[] randomBytes(int count, long seed) {
        byte[] bytes = new byte[count];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** 0, 1, ..., 255, 0, 1, ...: every byte value, {@code count} bytes long. */
    static byte[] everyByteValue(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** Fails with a short message (not a dump of megabytes) when the two arrays differ. */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        if (Arrays.equals(actual, expected)) {
            return;
        }
        int at = Arrays.mismatch(actual, expected);
        String detail = at < Math.min(actual.length, expected.length)
                ? "; the first difference is at byte " + at + " (expected " + (expected[at] & 0xff) + ", got " + (actual[at] & 0xff) + ")"
                : "; the first " + at + " bytes match";
        fail(what + ": expected " + expected.length + " bytes, got " + actual.length + detail);
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

    /** poll(2) revents as names, for messages. */
    static String events(short revents) {
        List<String> names = new ArrayList<>();
        if ((revents & Libc.POLLIN) != 0) {
            names.add("POLLIN");
        }
        if ((revents & Libc.POLLOUT) != 0) {
            names.add("POLLOUT");
        }
        if ((revents & Libc.POLLHUP) != 0) {
            names.add("POLLHUP");
        }
        if ((revents & Libc.POLLERR) != 0) {
            names.add("POLLERR");
        }
        return names.isEmpty() ? "no events" : String.join("|", names);
    }
}
