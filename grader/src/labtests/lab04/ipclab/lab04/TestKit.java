package ipclab.lab04;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.Tasks;
import ipclab.testkit.UniqueNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the lab 04 tests share: their own mappings, child processes, and where a waiting thread sleeps. */
final class TestKit {

    private TestKit() {
    }

    /**
     * A shared mapping made with FileChannel.map directly, so that the tests of later steps do not
     * depend on your {@link SharedRegion}. The creator's close() unmaps and removes the file.
     */
    static final class Shm implements AutoCloseable {
        final Path file;
        final MemorySegment segment;
        private final Arena arena;
        private final boolean owner;

        private Shm(Path file, Arena arena, MemorySegment segment, boolean owner) {
            this.file = file;
            this.arena = arena;
            this.segment = segment;
            this.owner = owner;
        }

        static Shm create(String purpose, long size) throws IOException {
            return map(UniqueNames.inDevShm(purpose), size, true);
        }

        static Shm open(Path file) throws IOException {
            return map(file, Files.size(file), false);
        }

        private static Shm map(Path file, long size, boolean create) throws IOException {
            try (FileChannel channel = create
                    ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Arena arena = Arena.ofShared();
                return new Shm(file, arena, channel.map(MapMode.READ_WRITE, 0, size, arena), create);
            } catch (IOException | RuntimeException e) {
                if (create) {
                    Files.deleteIfExists(file);
                }
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                arena.close();
            } finally {
                if (owner) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** The lines of /proc/PID/maps (PID "self" for this process) that map {@code file}. */
    static List<String> mapsLines(String pid, Path file) throws IOException {
        String name = file.toString();
        return Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                .filter(l -> l.endsWith(" " + name) || l.endsWith(" " + name + " (deleted)")).toList();
    }

    /** A child JVM running the lab 04 test helper {@link SyncChild} with these arguments. */
    static Child startSyncChild(String... args) throws IOException {
        return new Child(ChildJvm.main(SyncChild.class).args(args));
    }

    /**
     * A child JVM whose stdout the test reads line by line, each read with a deadline, and whose
     * stderr is kept (and copied to ours), so that a failure can say what the child said: usually
     * the exception that ended it, such as a TODO.
     */
    static final class Child implements AutoCloseable {
        final ChildProcess process;
        private final StringBuffer stderr = new StringBuffer();
        private final Thread drain;
        private final BufferedReader stdout;

        Child(ChildJvm jvm) throws IOException {
            process = jvm.redirectError(ProcessBuilder.Redirect.PIPE).start();
            stdout = new BufferedReader(new InputStreamReader(process.process().getInputStream(), StandardCharsets.UTF_8));
            drain = Thread.ofPlatform().daemon().name("lab04-stderr-drain").start(() -> {
                byte[] chunk = new byte[4096];
                try (var in = process.process().getErrorStream()) {
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        String text = new String(chunk, 0, n, StandardCharsets.UTF_8);
                        stderr.append(text);
                        System.err.print(text);
                    }
                } catch (IOException e) {
                    // The child is gone and close() closed the pipe.
                }
            });
        }

        long pid() {
            return process.pid();
        }

        OutputStreamHolder stdin() {
            return new OutputStreamHolder(process.process().getOutputStream());
        }

        /** The next line the child prints; fails the test when none comes by the deadline or its output ends. */
        String next(Duration deadline, String whatFor) throws Exception {
            String line = Await.await(Await.onNewThread("lab04-line-reader", stdout::readLine), deadline,
                    process + " did not print '" + whatFor + "' in time" + saidSoFar());
            if (line == null) {
                String status = process.process().waitFor(5, TimeUnit.SECONDS)
                        ? "it exited with status " + process.process().exitValue() : "it closed its stdout";
                fail(process + " ended its output instead of printing '" + whatFor + "': " + status + said());
            }
            return line;
        }

        /** Waits for the child to exit by itself and checks its status. */
        void expectExit(int status, Duration deadline, String what) throws Exception {
            int actual;
            try {
                actual = process.waitFor(deadline);
            } catch (TimeoutException e) {
                fail(process + " was still running after " + deadline.toSeconds() + " s: " + what + saidSoFar());
                return;
            }
            if (actual != status) {
                fail(process + " exited with status " + actual + " instead of " + status + ": " + what + said());
            }
        }

        /** What the child wrote to stderr, once it has all arrived (the child has exited). */
        private String said() throws InterruptedException {
            drain.join(Duration.ofSeconds(3));
            return saidSoFar();
        }

        private String saidSoFar() {
            String text = stderr.toString().strip();
            if (text.isEmpty()) {
                return "";
            }
            return "; on stderr it said:\n" + (text.length() > 1500 ? text.substring(0, 1500) + " …" : text);
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** The child's stdin, for a line or two. */
    record OutputStreamHolder(java.io.OutputStream out) {
        void println(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void close() throws IOException {
            out.close();
        }
    }

    /**
     * Waits until the thread named {@code threadName} sleeps in futex(2) with {@code address} as its
     * first argument, as /proc/self/task/TID/syscall shows (system call number, then the arguments);
     * fails with {@code whenNot} if it never does within {@code deadline}. {@code stillWaiting} is
     * the thread's own result: if it completes first, that is reported instead.
     */
    static void awaitFutexSleep(String threadName, long address, Duration deadline, CompletableFuture<?> stillWaiting,
                                String whenNot) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        String lastSeen = "the thread was not found in /proc/self/task";
        while (System.nanoTime() - end < 0) {
            if (stillWaiting.isDone()) {
                stillWaiting.get(); // throws its failure (such as a TODO)
                fail("the thread " + threadName + " finished before anything woke it: " + whenNot);
            }
            String tid = Tasks.named(threadName);
            if (tid != null) {
                try {
                    String[] call = Tasks.syscall(tid).split(" ");
                    lastSeen = "its /proc/self/task/" + tid + "/syscall said: " + String.join(" ", call);
                    if (call.length > 1 && call[0].equals(Long.toString(Futex.syscallNumber()))
                            && call[1].startsWith("0x") && Long.parseUnsignedLong(call[1].substring(2), 16) == address) {
                        return;
                    }
                } catch (IOException e) {
                    // Without /proc/.../syscall (a kernel without it, or not readable): accept a futex sleep of any kind.
                    String wchan = Tasks.wchan(tid);
                    lastSeen = "its wchan was " + wchan;
                    if (wchan.contains("futex")) {
                        return;
                    }
                }
            }
            Thread.sleep(2); // looking at /proc every few ms until the deadline: waiting for the event, not instead of it
        }
        fail(whenNot + " (" + lastSeen + "; futex is system call " + Futex.syscallNumber() + ", the word is at 0x"
                + Long.toHexString(address) + ")");
    }
}
