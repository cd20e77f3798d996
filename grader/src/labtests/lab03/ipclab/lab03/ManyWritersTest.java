package ipclab.lab03;

import static ipclab.lab03.TestKit.rawFifo;
import static ipclab.lab03.TestKit.rawOpen;
import static ipclab.testkit.Await.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.Bytes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManyWritersTest {

    private static final String STEP = "Step 4: Many writers, one FIFO";
    private static final int WRITERS = 3;
    private static final Duration SLOW = Duration.ofSeconds(20);

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("records of PIPE_BUF bytes that several processes write into one FIFO at once arrive whole, never interleaved")
    void recordsNeverInterleave(@TempDir Path dir) throws Exception {
        int size = Libc.PIPE_BUF;
        int records = 256;
        byte[] stream = race(dir, size, records, "record");
        assertThat(stream.length)
                .as("%d writers wrote %d records of %d bytes each", WRITERS, records, size)
                .isEqualTo(WRITERS * records * size);
        int[] perWriter = new int[WRITERS + 1];
        for (int start = 0; start < stream.length; start += size) {
            byte id = stream[start];
            for (int i = start; i < start + size; i++) {
                if (stream[i] != id) {
                    fail("the record at bytes " + start + ".." + (start + size - 1) + " mixes bytes of writer " + id
                            + " and writer " + stream[i] + " (at byte " + i + "): writeRecord must put a record into the"
                            + " FIFO with one write(2) of at most PIPE_BUF bytes");
                }
            }
            perWriter[id]++;
        }
        for (int id = 1; id <= WRITERS; id++) {
            assertThat(perWriter[id]).as("records from writer %d", id).isEqualTo(records);
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("writes far larger than PIPE_BUF from several processes may interleave, but writeAll still delivers every byte")
    void largeWritesDeliverEveryByte(@TempDir Path dir) throws Exception {
        int size = 256 * 1024;
        int writes = 4;
        byte[] stream = race(dir, size, writes, "all");
        int[] perWriter = new int[WRITERS + 1];
        int runs = stream.length == 0 ? 0 : 1;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] < 1 || stream[i] > WRITERS) {
                fail("byte " + i + " of the stream is " + stream[i] + ", which no writer wrote");
            }
            perWriter[stream[i]]++;
            if (i > 0 && stream[i] != stream[i - 1]) {
                runs++;
            }
        }
        // Reported, never asserted: whether large writes interleave depends on timing.
        System.out.printf("%d writers x %d writes of %d KiB arrived as %d runs of one writer's bytes (%d if no write had been split)%n",
                WRITERS, writes, size / 1024, runs, WRITERS * writes);
        for (int id = 1; id <= WRITERS; id++) {
            assertThat(perWriter[id])
                    .as("bytes from writer %d, which wrote %d x %d bytes with writeAll: a write(2) may take fewer bytes"
                            + " than asked, so writeAll must loop until all are written", id, writes, size)
                    .isEqualTo(writes * size);
        }
    }

    /**
     * Starts the writers, each a process that opens the FIFO by its path; starts them writing
     * together once all have opened it; returns everything the reader got until end of file.
     */
    private static byte[] race(Path dir, int size, int count, String mode) throws Exception {
        Path fifo = rawFifo(dir, "shared");
        // Non-blocking, so this open does not wait; the writers' blocking opens then find a reader.
        int reader = rawOpen(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK);
        List<ChildProcess> writers = new ArrayList<>();
        try {
            for (int id = 1; id <= WRITERS; id++) {
                writers.add(ChildJvm.main(FifoWriterChild.class)
                        .args(fifo.toString(), Integer.toString(id), Integer.toString(count), Integer.toString(size), mode)
                        .redirectError(Redirect.PIPE)
                        .start());
            }
            for (ChildProcess writer : writers) {
                BufferedReader out = new BufferedReader(new InputStreamReader(writer.process().getInputStream(), StandardCharsets.UTF_8));
                String line = within(SLOW, "writer " + writer + " did not open the FIFO (openForWriting should not wait:"
                        + " this test holds a read end)", out::readLine);
                if (!"open".equals(line)) {
                    fail("writer " + writer + " did not open the FIFO: " + TestKit.exitReport(writer));
                }
            }
            // Every writer holds a write end now, so end of file comes only when all of them have closed theirs.
            Libc.fcntl(reader, Libc.F_SETFL, Libc.fcntl(reader, Libc.F_GETFL) & ~Libc.O_NONBLOCK);
            for (ChildProcess writer : writers) {
                writer.process().getOutputStream().write('!');
                writer.process().getOutputStream().close();
            }
            byte[] stream = within(SLOW, "the writers' bytes did not all arrive", () -> Bytes.readAll(reader));
            for (ChildProcess writer : writers) {
                int status = writer.waitFor(TestKit.DEADLINE);
                if (status != 0) {
                    fail("writer " + writer + " failed: " + TestKit.exitReport(writer));
                }
            }
            return stream;
        } finally {
            writers.forEach(ChildProcess::close);
            Libc.close(reader);
        }
    }
}
