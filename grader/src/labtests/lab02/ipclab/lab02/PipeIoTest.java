package ipclab.lab02;

import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static ipclab.testkit.Await.within;
import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.lab02.TestKit.RawPipe;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PipeIoTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    @Graded(points = 16, handout = "Step 2: Read until end of file")
    @DisplayName("readToEof returns every byte writeAll wrote, and only once every write end is closed, in every process")
    void endOfFileOnlyWhenEveryWriteEndIsClosed() throws Exception {
        // Part 1: a child process writes into the pipe and exits, but this process still holds a write end.
        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            Process printf = new ProcessBuilder("printf", "hello from %s", "a child")
                    .redirectOutput(Redirect.to(new File("/proc/self/fd/" + pipe.writeFd)))
                    .redirectError(Redirect.INHERIT)
                    .start();
            try {
                assertThat(printf.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("printf should exit by itself").isTrue();
            } finally {
                printf.destroyForcibly().waitFor();
            }
            short revents = Libc.poll(pipe.readFd, Libc.POLLIN, 0);
            assertThat(revents & Libc.POLLHUP)
                    .as("printf has exited, but this process still holds a write end of the pipe: the kernel must not report"
                            + " POLLHUP yet, and a read(2) of the empty pipe would wait for more; poll says %s", Libc.pollEventNames(revents))
                    .isZero();
            pipe.closeWriteEnd();
            revents = Libc.poll(pipe.readFd, Libc.POLLIN, 0);
            assertThat(revents & Libc.POLLHUP).as("no write end is left anywhere; poll says %s", Libc.pollEventNames(revents)).isNotZero();
            byte[] got = within(DEADLINE, "readToEof did not return although no write end is open anywhere: read(2) returns 0"
                    + " at end of file, and that is when readToEof must stop", () -> PipeIo.readToEof(pipe.readFd));
            assertThat(new String(got, StandardCharsets.UTF_8))
                    .as("readToEof should return everything the child wrote").isEqualTo("hello from a child");
        }

        // Part 2: two write ends (one a dup); 1 MiB and a bit, more than the pipe holds, so both sides must
        // loop; then more bytes through the dup after the reader has emptied the pipe.
        int extraWriteEnd = -1;
        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            extraWriteEnd = Libc.dup(pipe.writeFd);
            byte[] first = randomBytes(1024 * 1024 + 100, 2);
            byte[] last = "and the last bytes, through the dup".getBytes(StandardCharsets.UTF_8);
            CompletableFuture<byte[]> reader = onNewThread(() -> PipeIo.readToEof(pipe.readFd));
            CompletableFuture<Object> writer = onNewThread(() -> {
                PipeIo.writeAll(pipe.writeFd, first);
                return null;
            });
            await(writer, DEADLINE, "writeAll of 1 MiB did not finish although another thread runs readToEof on the read"
                    + " end: does readToEof keep reading (the pipe holds only 64 KiB)?", reader);
            pipe.closeWriteEnd();
            awaitEmpty(pipe.readFd, reader);
            short revents = Libc.poll(pipe.readFd, Libc.POLLIN, 0);
            assertThat(revents & Libc.POLLHUP)
                    .as("fd %d, a dup of the write end, is still open, so the pipe still has a writer; poll says %s",
                            extraWriteEnd, Libc.pollEventNames(revents))
                    .isZero();
            if (reader.isDone()) {
                byte[] early = await(reader, DEADLINE, "");
                fail("readToEof returned (" + early.length + " bytes) while a write end (fd " + extraWriteEnd + ", a dup) was"
                        + " still open. A read(2) that returns fewer bytes than asked is not the end: only 0 is, and only"
                        + " when no write end is left");
            }
            PipeIo.writeAll(extraWriteEnd, last);
            Libc.close(extraWriteEnd);
            extraWriteEnd = -1;
            byte[] got = await(reader, DEADLINE, "readToEof did not return after the last write end was closed: it should"
                    + " loop until read(2) returns 0");
            byte[] expected = Arrays.copyOf(first, first.length + last.length);
            System.arraycopy(last, 0, expected, first.length, last.length);
            assertSameBytes(got, expected, "readToEof should return every byte written, in order, until the last write"
                    + " end closed (stopping at a short read(2) loses what comes later)");
        } finally {
            if (extraWriteEnd >= 0) {
                Libc.close(extraWriteEnd);
            }
        }
    }

    /**
     * Waits until the reader has taken everything out of the pipe (the kernel then reports no
     * POLLIN on the read end). There is no event for "empty", so this looks every millisecond.
     */
    private static void awaitEmpty(int readFd, CompletableFuture<byte[]> reader) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while ((Libc.poll(readFd, Libc.POLLIN, 0) & Libc.POLLIN) != 0) {
            if (reader.isCompletedExceptionally()) {
                await(reader, DEADLINE, ""); // throws what readToEof threw
            }
            if (System.nanoTime() > deadline) {
                fail("readToEof stopped reading: the pipe still holds data " + DEADLINE.toSeconds() + " s later");
            }
            Thread.sleep(1);
        }
    }

    @Test
    @Graded(points = 7, handout = "Step 3: Write with no reader: EPIPE")
    @DisplayName("writeAll fails with EPIPE when no read end is open, also when the reader leaves half way")
    void writeWithoutReaderFailsWithEpipe() throws Exception {
        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            pipe.closeReadEnd();
            assertThatThrownBy(() -> PipeIo.writeAll(pipe.writeFd, new byte[] {1, 2, 3}))
                    .as("writing to a pipe whose every read end is closed: write(2) fails with EPIPE (the JVM ignores"
                            + " SIGPIPE, so the process is not killed); writeAll should let that ErrnoException out")
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPIPE));
        }

        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            byte[] data = randomBytes(1024 * 1024, 3);
            CompletableFuture<Object> writer = onNewThread(() -> {
                PipeIo.writeAll(pipe.writeFd, data);
                return null;
            });
            short revents = Libc.poll(pipe.readFd, Libc.POLLIN, (int) DEADLINE.toMillis());
            if ((revents & Libc.POLLIN) == 0) {
                if (writer.isCompletedExceptionally()) {
                    await(writer, DEADLINE, ""); // throws what writeAll threw
                }
                fail("writeAll wrote nothing into the pipe within " + DEADLINE.toSeconds() + " s");
            }
            byte[] first = new byte[1000];
            int got = Libc.read(pipe.readFd, first, 0, first.length);
            pipe.closeReadEnd();
            try {
                await(writer, DEADLINE, "writeAll is still blocked although the last reader has gone");
                fail("writeAll returned normally, but the reader left after " + got + " of " + data.length + " bytes."
                        + " The write(2) in progress then returns how much it wrote so far (fewer bytes than asked);"
                        + " writeAll must loop, and the next write(2) fails with EPIPE");
            } catch (ErrnoException e) {
                assertThat(e.errno()).as("writeAll failed, but with " + e.getMessage()).isEqualTo(Errno.EPIPE);
            }
        }
    }
}
