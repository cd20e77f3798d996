package ipclab.lab03;

import static ipclab.lab03.TestKit.DEADLINE;
import static ipclab.lab03.TestKit.awaitSleepingIn;
import static ipclab.lab03.TestKit.openOutcome;
import static ipclab.lab03.TestKit.rawFifo;
import static ipclab.lab03.TestKit.release;
import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static ipclab.testkit.Await.within;
import static ipclab.testkit.FdInfo.describeFlags;
import static ipclab.testkit.Tasks.currentTid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Bytes;
import ipclab.testkit.FdInfo;
import ipclab.testkit.FdTargets;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FifoTest {

    private static final String STEP2 = "Step 2: Opening waits for the other side";
    /** Where a thread blocked in a FIFO's open(2) sleeps: wait_for_partner (older kernels: fifo_open). */
    private static final String[] OPEN_WAIT = {"wait_for_partner", "fifo_open"};

    @Test
    @Graded(points = 5, handout = "Step 1: Make a FIFO")
    @DisplayName("create makes a FIFO special file with the given permission bits, and refuses a name that exists with EEXIST")
    void createMakesAFifo(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("requests");
        Fifo.create(fifo, 0600);
        int mode = TestKit.mode(fifo);
        assertThat(TestKit.isFifo(fifo))
                .as("%s should be a FIFO (file type S_IFIFO, 'p' in ls -l), but its mode is 0%s: call Libc.mkfifo,"
                        + " not Files.createFile", fifo, Integer.toOctalString(mode))
                .isTrue();
        assertThat(mode & 0777).as("the permission bits of a FIFO made with mode 0600").isEqualTo(0600);
        assertThat(Files.size(fifo)).as("a FIFO holds no bytes on disk").isZero();
        assertThatThrownBy(() -> Fifo.create(fifo, 0600))
                .as("making a FIFO where a file exists already: mkfifo fails with EEXIST, and create should let that"
                        + " ErrnoException out (not delete the old one, which may be another server's)")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    @Graded(points = 10, handout = STEP2)
    @DisplayName("openForReading waits until another process opens the FIFO for writing, then reads what it wrote")
    void readerWaitsForAWriterProcess(@TempDir Path dir) throws Exception {
        Path fifo = rawFifo(dir, "fifo");
        CompletableFuture<String> tid = new CompletableFuture<>();
        CompletableFuture<Integer> opening = onNewThread(() -> {
            tid.complete(currentTid());
            return Fifo.openForReading(fifo);
        });
        try {
            awaitSleepingIn(await(tid, DEADLINE, "the opening thread did not start"), opening,
                    "openForReading returned although no process had the FIFO open for writing. A blocking"
                            + " open(O_RDONLY) of a FIFO waits for a writer; did you pass O_NONBLOCK, or O_RDWR (which"
                            + " Linux lets through at once)?",
                    "openForReading should be asleep in open(2), waiting for a writer", OPEN_WAIT);
            assertThat(FdTargets.referringTo(fifo)).as("while open(2) waits, no descriptor for the FIFO exists yet").isEmpty();

            try (ChildProcess writer = ChildJvm.main(FifoPeerChild.class)
                    .args("write", fifo.toString(), "hello from another process").start()) {
                int fd = await(opening, DEADLINE, "openForReading still waits although another process (pid "
                        + writer.pid() + ") opened the FIFO for writing");
                int flags = FdInfo.flags(fd);
                assertThat(flags & (Libc.O_ACCMODE | Libc.O_NONBLOCK | Libc.O_CLOEXEC))
                        .as("fd %d from openForReading has the flags %s; expected O_RDONLY | O_CLOEXEC (blocking)", fd, describeFlags(flags))
                        .isEqualTo(Libc.O_RDONLY | Libc.O_CLOEXEC);
                byte[] got = within(DEADLINE, "the writer's bytes and end of file did not arrive", () -> Bytes.readAll(fd));
                assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("hello from another process");
                assertThat(writer.waitFor(DEADLINE)).as("the writing process's exit status").isZero();
            }
        } finally {
            release(fifo, opening, true);
        }
    }

    @Test
    @Graded(points = 7, handout = STEP2)
    @DisplayName("openForWriting waits until another process opens the FIFO for reading, which then reads what was written")
    void writerWaitsForAReaderProcess(@TempDir Path dir) throws Exception {
        Path fifo = rawFifo(dir, "fifo");
        CompletableFuture<String> tid = new CompletableFuture<>();
        CompletableFuture<Integer> opening = onNewThread(() -> {
            tid.complete(currentTid());
            return Fifo.openForWriting(fifo);
        });
        try {
            awaitSleepingIn(await(tid, DEADLINE, "the opening thread did not start"), opening,
                    "openForWriting returned although no process had the FIFO open for reading. A blocking"
                            + " open(O_WRONLY) of a FIFO waits for a reader; did you pass O_NONBLOCK, or O_RDWR?",
                    "openForWriting should be asleep in open(2), waiting for a reader", OPEN_WAIT);

            try (ChildProcess reader = ChildJvm.main(FifoPeerChild.class).args("read", fifo.toString()).start()) {
                int fd = await(opening, DEADLINE, "openForWriting still waits although another process (pid "
                        + reader.pid() + ") opened the FIFO for reading");
                int flags = FdInfo.flags(fd);
                assertThat(flags & (Libc.O_ACCMODE | Libc.O_NONBLOCK | Libc.O_CLOEXEC))
                        .as("fd %d from openForWriting has the flags %s; expected O_WRONLY | O_CLOEXEC (blocking)", fd, describeFlags(flags))
                        .isEqualTo(Libc.O_WRONLY | Libc.O_CLOEXEC);
                byte[] text = "hello from the test".getBytes(StandardCharsets.UTF_8);
                Libc.write(fd, text, 0, text.length);
                Libc.close(fd); // the reader's end of file
                String got = within(DEADLINE, "the reading process did not finish after the only writer closed its end",
                        () -> new String(reader.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertThat(got).as("what the other process read from the FIFO").isEqualTo("hello from the test");
                assertThat(reader.waitFor(DEADLINE)).as("the reading process's exit status").isZero();
            }
        } finally {
            release(fifo, opening, false);
        }
    }

    @Test
    @Graded(points = 8, handout = "Step 3: Non-blocking opens")
    @DisplayName("a non-blocking open for writing fails with ENXIO while no process reads, and succeeds while one does; a non-blocking open for reading never waits")
    void nonBlockingOpens(@TempDir Path dir) throws Exception {
        Path fifo = rawFifo(dir, "fifo");
        String hangs = "openForWritingNonBlocking waited for a reader: open with O_WRONLY | O_NONBLOCK, which never waits";

        Object outcome = openOutcome(onNewThread(() -> Fifo.openForWritingNonBlocking(fifo)), hangs);
        assertThat(outcome)
                .as("no process has the FIFO open for reading, so open(O_WRONLY | O_NONBLOCK) fails with ENXIO; got %s", outcome)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO));

        try (ChildProcess holder = ChildJvm.main(FifoPeerChild.class).args("hold", fifo.toString()).start()) {
            BufferedReader fromHolder = new BufferedReader(new InputStreamReader(holder.process().getInputStream(), StandardCharsets.UTF_8));
            assertThat(within(DEADLINE, "the reading process did not start", fromHolder::readLine)).isEqualTo("open");
            CompletableFuture<Integer> opening = onNewThread(() -> Fifo.openForWritingNonBlocking(fifo));
            try {
                outcome = openOutcome(opening, hangs);
                assertThat(outcome)
                        .as("another process (pid %d) has the FIFO open for reading, so the non-blocking open for writing"
                                + " should succeed; got %s", holder.pid(), outcome)
                        .isInstanceOf(Integer.class);
                int flags = FdInfo.flags((Integer) outcome);
                assertThat(flags & (Libc.O_ACCMODE | Libc.O_NONBLOCK | Libc.O_CLOEXEC))
                        .as("openForWritingNonBlocking's descriptor has the flags %s", describeFlags(flags))
                        .isEqualTo(Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            } finally {
                release(fifo, opening, false);
            }
            holder.process().getOutputStream().close(); // it closes its read end and exits
            assertThat(holder.waitFor(DEADLINE)).as("the reading process's exit status").isZero();
        }
        outcome = openOutcome(onNewThread(() -> Fifo.openForWritingNonBlocking(fifo)), hangs);
        assertThat(outcome)
                .as("the only reader has exited, so open(O_WRONLY | O_NONBLOCK) fails with ENXIO again; got %s", outcome)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO));

        CompletableFuture<Integer> reading = onNewThread(() -> Fifo.openForReadingNonBlocking(fifo));
        try {
            outcome = openOutcome(reading, "openForReadingNonBlocking waited for a writer: open with O_RDONLY | O_NONBLOCK,"
                    + " which succeeds at once");
            assertThat(outcome).as("a non-blocking open for reading succeeds with or without a writer; got %s", outcome)
                    .isInstanceOf(Integer.class);
            int flags = FdInfo.flags((Integer) outcome);
            assertThat(flags & (Libc.O_ACCMODE | Libc.O_NONBLOCK | Libc.O_CLOEXEC))
                    .as("openForReadingNonBlocking's descriptor has the flags %s", describeFlags(flags))
                    .isEqualTo(Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        } finally {
            release(fifo, reading, true);
        }
    }
}
