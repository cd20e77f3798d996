package ipclab.lab07;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static final String ALL_GOOD_FORMAT =
            "records %d distinct %d duplicates 0 missing 0 firstDuplicate -1 firstMissing -1 misplaced 0 wrongResults 0";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 15, handout = "Step 5: A consumer that remembers")
    @DisplayName("a consumer that stops and is started again continues after the last message it committed, with result and source index in each record")
    void consumerContinuesAfterLastCommitted() throws Exception {
        String source = dir.resolve("source").toString();
        String processed = dir.resolve("processed").toString();
        TestKit.runToEnd(Duration.ofSeconds(20), "produce", source, "0", "1000");

        String first = TestKit.runToEnd(Duration.ofSeconds(20), "consume", source, processed, "300", "100", "1000");
        assertThat(first).as("output of a consumer asked to process 300 messages of a fresh journal")
                .contains("done 300 last 299");

        String second = TestKit.runToEnd(Duration.ofSeconds(20), "consume", source, processed, "1000000", "100", "1000");
        assertThat(second)
                .as("output of a second consumer on the same journals: it should start at seq 300, right after the"
                        + " last committed record (JournalConsumer.open reads the last Processed record and moves the"
                        + " tailer past its sourceIndex). 'done 1000' means it started again from the beginning")
                .contains("done 700 last 999");

        String check = TestKit.runToEnd(Duration.ofSeconds(20), "verify", source, processed, "1000");
        assertThat(check.trim())
                .as("the processed journal, read side by side with the source: every seq once, each record's sourceIndex"
                        + " the index of its source message (DocumentContext.index()), result = Journal.process(value)")
                .isEqualTo(ALL_GOOD_FORMAT.formatted(1000, 1000));
    }

    @Test
    @Graded(points = 20, handout = "Step 6: Killed and resumed")
    @DisplayName("a consumer killed with SIGKILL twice mid-stream and restarted processes each of 1,000,000 messages exactly once")
    void consumerKilledMidStreamProcessesEachMessageExactlyOnce() throws Exception {
        int count = 1_000_000;
        String source = dir.resolve("source").toString();
        String processed = dir.resolve("processed").toString();
        String everything = Long.toString(count);
        try (ChildProcess producer = TestKit.child("produce", source, "0", everything).start()) {
            killMidStream(source, processed, 150_000, count, dir.resolve("consumer-1.err"));
            killMidStream(source, processed, 200_000, count, dir.resolve("consumer-2.err"));
            Path errors = dir.resolve("consumer-3.err");
            try (ChildProcess last = TestKit.child("consume", source, processed, everything, "50000", everything)
                    .redirectError(ProcessBuilder.Redirect.to(errors.toFile())).start()) {
                BufferedReader out = TestKit.stdout(last);
                String done = TestKit.awaitLine(last, out, errors, Duration.ofSeconds(20), l -> l.startsWith("done"),
                        "the restarted consumer to finish the stream");
                assertThat(done).as("the last consumer's summary: it should end at the last seq")
                        .endsWith("last " + (count - 1));
                assertThat(last.waitFor(Duration.ofSeconds(10))).as("exit status of the last consumer").isZero();
            }
            assertThat(producer.waitFor(Duration.ofSeconds(10))).as("exit status of the producer").isZero();
        }
        String check = TestKit.runToEnd(Duration.ofSeconds(20), "verify", source, processed, everything);
        assertThat(check.trim())
                .as("the processed journal after two SIGKILLs. Duplicates mean a restart re-processed messages whose"
                        + " results were already committed (was the position saved apart from the result?); missing"
                        + " ones mean it skipped past messages it never committed")
                .isEqualTo(ALL_GOOD_FORMAT.formatted(count, count));
    }

    /** Starts a consumer, lets it process at least {@code atLeast} messages, and kills it with SIGKILL. */
    private static void killMidStream(String source, String processed, int atLeast, int count, Path errors) throws Exception {
        try (ChildProcess consumer = TestKit.child("consume", source, processed,
                Long.toString(count), "10000", Long.toString(count)).redirectError(ProcessBuilder.Redirect.to(errors.toFile())).start()) {
            BufferedReader out = TestKit.stdout(consumer);
            TestKit.awaitLine(consumer, out, errors, Duration.ofSeconds(20), line -> line.startsWith("progress ")
                    && Long.parseLong(line.split(" ")[1]) >= atLeast, "progress past " + atLeast + " messages");
            // SIGKILL cannot be caught: no finally block, no shutdown hook, no close() runs in the consumer.
            Libc.kill(consumer.pid(), Libc.SIGKILL);
            consumer.process().waitFor();
            assertThat(consumer.process().exitValue())
                    .as("exit status of the killed consumer (128 + SIGKILL)").isEqualTo(128 + Libc.SIGKILL);
        }
    }
}
