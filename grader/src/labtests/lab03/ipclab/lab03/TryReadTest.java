package ipclab.lab03;

import static ipclab.lab03.TestKit.rawFifo;
import static ipclab.lab03.TestKit.rawOpen;
import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TryReadTest {

    @Test
    @Graded(points = 9, handout = "Step 3: Non-blocking opens")
    @DisplayName("tryRead on a non-blocking FIFO tells end of file (no writer) from nothing yet (EAGAIN, a writer) from data")
    void tryReadTellsTheThreeCasesApart(@TempDir Path dir) throws Exception {
        Path fifo = rawFifo(dir, "fifo");
        int reader = rawOpen(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK);
        int writer = -1;
        try {
            assertThat(FifoIo.tryRead(reader, 100))
                    .as("no process has the FIFO open for writing: read(2) returns 0 at once, end of file, even though"
                            + " no writer has ever come")
                    .isInstanceOf(ReadResult.EndOfFile.class);

            writer = rawOpen(fifo, Libc.O_WRONLY | Libc.O_NONBLOCK);
            assertThat(FifoIo.tryRead(reader, 100))
                    .as("a writer has the FIFO open but has written nothing: read(2) on a non-blocking descriptor fails"
                            + " with EAGAIN, which tryRead reports as NothingYet (not as an exception, not as end of file)")
                    .isInstanceOf(ReadResult.NothingYet.class);

            byte[] abcd = "abcd".getBytes(StandardCharsets.UTF_8);
            Libc.write(writer, abcd, 0, abcd.length);
            assertThat(text(FifoIo.tryRead(reader, 3))).as("tryRead(fd, 3) after \"abcd\" was written: at most 3 bytes").isEqualTo("abc");
            assertThat(text(FifoIo.tryRead(reader, 100))).as("the rest, on the next tryRead").isEqualTo("d");
            assertThat(FifoIo.tryRead(reader, 100)).as("empty again, the writer still there").isInstanceOf(ReadResult.NothingYet.class);

            byte[] last = "last words".getBytes(StandardCharsets.UTF_8);
            Libc.write(writer, last, 0, last.length);
            Libc.close(writer);
            writer = -1;
            assertThat(text(FifoIo.tryRead(reader, 100)))
                    .as("bytes written before the last writer closed are still read first").isEqualTo("last words");
            assertThat(FifoIo.tryRead(reader, 100))
                    .as("empty, and the last writer has closed its end: end of file")
                    .isInstanceOf(ReadResult.EndOfFile.class);
        } finally {
            if (writer >= 0) {
                Libc.close(writer);
            }
            Libc.close(reader);
        }
    }

    private static String text(ReadResult result) {
        assertThat(result).as("expected bytes").isInstanceOf(ReadResult.Data.class);
        return new String(((ReadResult.Data) result).bytes(), StandardCharsets.UTF_8);
    }
}
