package ipclab.lab02;

import static ipclab.testkit.Await.await;
import static ipclab.testkit.Await.onNewThread;
import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChildIoTest {

    @Test
    @Graded(points = 9, handout = "Step 6: Avoid the pipeline deadlock")
    @DisplayName("feedAndCollect pushes 8 MiB through cat and gets every byte back, without deadlock")
    void feeds8MiBThroughCat() throws Exception {
        byte[] input = randomBytes(8 * 1024 * 1024, 6);
        Process cat = new ProcessBuilder("cat").redirectError(Redirect.INHERIT).start();
        CompletableFuture<byte[]> feeding = null;
        try {
            feeding = onNewThread(() -> ChildIo.feedAndCollect(cat, input));
            byte[] output = await(feeding, Duration.ofSeconds(20), "feedAndCollect is stuck. Writing all 8 MiB before"
                    + " reading any output deadlocks: cat blocks writing to its full stdout pipe (64 KiB) while we block"
                    + " writing to its full stdin pipe. Write on another thread while this one reads. (Or the child's"
                    + " stdin was never closed, so cat never sees end of file.)");
            assertSameBytes(output, input, "cat's output should be exactly its input");
            assertThat(cat.waitFor(10, TimeUnit.SECONDS))
                    .as("cat should exit once it has read end of file on its stdin").isTrue();
            assertThat(cat.exitValue()).as("cat's exit status").isZero();
        } finally {
            // Killing cat unblocks a writer stuck in write(2) (EPIPE) and a reader (end of file).
            cat.destroyForcibly().waitFor();
            if (feeding != null) {
                try {
                    feeding.get(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // Its outcome is judged above; here it only has to be over before the streams close.
                }
            }
            for (AutoCloseable stream : List.<AutoCloseable>of(cat.getOutputStream(), cat.getInputStream(), cat.getErrorStream())) {
                stream.close();
            }
        }
    }
}
