package ipclab.lab02;

import static ipclab.testkit.Await.within;
import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.lab02.TestKit.RawPipe;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.Bytes;
import java.io.File;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AtomicRecordTest {

    private static final String STEP = "Step 5: Atomic records";
    private static final int WRITERS = 3;
    private static final int RECORDS_EACH = 256;

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("records of PIPE_BUF bytes written by several processes at once reach the reader whole, never interleaved")
    void recordsFromSeveralProcessesNeverInterleave() throws Exception {
        List<ChildProcess> writers = new ArrayList<>();
        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            for (int id = 1; id <= WRITERS; id++) {
                writers.add(ChildJvm.main(AtomicWriterChild.class)
                        .args(Integer.toString(id), Integer.toString(RECORDS_EACH))
                        .redirectOutput(Redirect.to(new File("/proc/self/fd/" + pipe.writeFd)))
                        .redirectError(Redirect.PIPE)
                        .start());
            }
            pipe.closeWriteEnd(); // the writers hold theirs; EOF comes when all of them have exited
            for (ChildProcess writer : writers) {
                OutputStream go = writer.process().getOutputStream();
                go.write('!');
                go.close();
            }
            byte[] stream = within(Duration.ofSeconds(20), "the writers' records did not all arrive",
                    () -> Bytes.readAll(pipe.readFd));

            for (ChildProcess writer : writers) {
                int status = writer.waitFor(Duration.ofSeconds(10));
                if (status != 0) {
                    String said = new String(writer.process().getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    fail("writer " + writer + " exited with status " + status + "; it said:\n" + said.strip());
                }
            }
            int size = Libc.PIPE_BUF;
            assertThat(stream.length)
                    .as("%d writers wrote %d records of %d bytes each", WRITERS, RECORDS_EACH, size)
                    .isEqualTo(WRITERS * RECORDS_EACH * size);
            int[] perWriter = new int[WRITERS + 1];
            for (int start = 0; start < stream.length; start += size) {
                byte id = stream[start];
                for (int i = start; i < start + size; i++) {
                    if (stream[i] != id) {
                        fail("the record at bytes " + start + ".." + (start + size - 1) + " of the stream mixes bytes of"
                                + " writer " + id + " and writer " + stream[i] + " (at byte " + i + "): a record must"
                                + " go into the pipe with one write(2) of at most PIPE_BUF bytes");
                    }
                }
                perWriter[id]++;
            }
            for (int id = 1; id <= WRITERS; id++) {
                assertThat(perWriter[id]).as("records from writer %d", id).isEqualTo(RECORDS_EACH);
            }
        } finally {
            writers.forEach(ChildProcess::close);
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("writeRecord refuses records longer than PIPE_BUF and sends a record with exactly one write(2)")
    void refusesLongRecordsAndWritesOnce() throws Exception {
        try (RawPipe pipe = RawPipe.open(Libc.O_CLOEXEC)) {
            assertThatThrownBy(() -> PipeIo.writeRecord(pipe.writeFd, new byte[Libc.PIPE_BUF + 1]))
                    .as("a record of PIPE_BUF + 1 bytes could be split and interleaved with other writers' data:"
                            + " writeRecord should refuse it with IllegalArgumentException")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(Libc.poll(pipe.readFd, Libc.POLLIN, 0) & Libc.POLLIN)
                    .as("writeRecord refused the record, but some of it reached the pipe: check the size before writing")
                    .isZero();

            byte[] record = randomBytes(Libc.PIPE_BUF, 5);
            long before = TestKit.writeCallsOfThisThread();
            PipeIo.writeRecord(pipe.writeFd, record);
            long after = TestKit.writeCallsOfThisThread();
            if (before >= 0 && after >= 0) {
                assertThat(after - before)
                        .as("the kernel counted %d write(2) calls by writeRecord (syscw in /proc/thread-self/io):"
                                + " a record must go out in exactly one, or it may interleave", after - before)
                        .isEqualTo(1);
            }
            byte[] got = new byte[record.length];
            int n = Libc.read(pipe.readFd, got, 0, got.length);
            assertSameBytes(java.util.Arrays.copyOf(got, n), record, "the record should arrive whole, in one read(2)");
        }
    }
}
