package ipclab.lab02;

import static ipclab.testkit.Await.within;
import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.testkit.Children;
import ipclab.testkit.FdTargets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PipelinesTest {

    private static final String STEP = "Step 7: Build pipelines";
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    /** printf 'b\na\nc\n' | sort | tr a-z A-Z */
    private static final List<List<String>> SORT_AND_SHOUT =
            List.of(List.of("printf", "b\\na\\nc\\n"), List.of("sort"), List.of("tr", "a-z", "A-Z"));

    private static final byte[] NO_INPUT = new byte[0];

    /** A first command that outlives the last one by a second: returning before it ends means not waiting for it. */
    private static final List<List<String>> SLOW_FIRST = List.of(List.of("sleep", "1"), List.of("printf", "done"));

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("startPipeline runs printf | sort | tr a-z A-Z with ProcessBuilder.startPipeline, waits for every process and reports a failed one")
    void startPipelineRunsRealCommands() throws Exception {
        Set<Long> childrenBefore = Children.liveDescendants();
        Map<Integer, String> pipesBefore = FdTargets.ofThisProcess();
        try {
            byte[] output = within(DEADLINE, "startPipeline did not return: is the output read while the input is"
                    + " written (Step 6), and the first command's stdin closed?",
                    () -> Pipelines.startPipeline(SORT_AND_SHOUT, NO_INPUT));
            assertThat(new String(output, StandardCharsets.UTF_8)).as("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z")
                    .isEqualTo("A\nB\nC\n");

            byte[] shouted = within(DEADLINE, "startPipeline did not return when given input for sort",
                    () -> Pipelines.startPipeline(List.of(List.of("sort"), List.of("tr", "a-z", "A-Z")),
                            "cherry\napple\nbanana\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(new String(shouted, StandardCharsets.UTF_8))
                    .as("the input should go to the first command's stdin: sort | tr a-z A-Z")
                    .isEqualTo("APPLE\nBANANA\nCHERRY\n");

            assertThatThrownBy(() -> within(DEADLINE, "startPipeline did not return for a pipeline whose last command fails",
                    () -> Pipelines.startPipeline(List.of(List.of("printf", "x"), List.of("sh", "-c", "cat >/dev/null; exit 3")), NO_INPUT)))
                    .as("a command exiting with status 3 should make startPipeline throw an IOException that says so")
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("exit status 3");

            byte[] done = within(DEADLINE, "startPipeline did not return for sleep 1 | printf done",
                    () -> Pipelines.startPipeline(SLOW_FIRST, NO_INPUT));
            assertThat(new String(done, StandardCharsets.UTF_8)).as("sleep 1 | printf done").isEqualTo("done");
            assertThat(Children.newDescendants(childrenBefore))
                    .as("startPipeline returned while processes it started were still running (or not waited for):"
                            + " wait for every process of the pipeline").isEmpty();
            assertThat(FdTargets.openedSince(pipesBefore, target -> target.startsWith("pipe:")))
                    .as("startPipeline left pipe descriptors open in this process: close the JDK's streams to every"
                            + " process (getOutputStream, getInputStream, getErrorStream) once it has exited").isEmpty();
        } finally {
            Children.killNewDescendants(childrenBefore);
        }
    }

    @Test
    @Graded(points = 9, handout = STEP)
    @DisplayName("handWired connects the commands with pipe2 and closes the parent's copies of the ends, so end of file flows down the pipeline")
    void handWiredPipelineDeliversEof() throws Exception {
        Set<Long> childrenBefore = Children.liveDescendants();
        Map<Integer, String> pipesBefore = FdTargets.ofThisProcess();
        String hangs = "handWired did not return. Most often a write end is still open in this process: a command then"
                + " never sees end of file and waits for input for ever. Once a child has its end, close the parent's copy";
        try {
            byte[] output = within(DEADLINE, hangs, () -> Pipelines.handWired(SORT_AND_SHOUT, NO_INPUT));
            assertThat(new String(output, StandardCharsets.UTF_8)).as("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z")
                    .isEqualTo("A\nB\nC\n");

            byte[] data = randomBytes(1024 * 1024, 7);
            byte[] copied = within(DEADLINE, hangs, () -> Pipelines.handWired(
                    List.of(List.of("cat"), List.of("cat"), List.of("cat")), data));
            assertSameBytes(copied, data, "1 MiB through cat | cat | cat should come out unchanged");

            byte[] alone = within(DEADLINE, hangs, () -> Pipelines.handWired(List.of(List.of("tr", "a-z", "A-Z")),
                    "one command is a pipeline too\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(new String(alone, StandardCharsets.UTF_8)).as("a pipeline of one command: tr a-z A-Z")
                    .isEqualTo("ONE COMMAND IS A PIPELINE TOO\n");

            assertThatThrownBy(() -> within(DEADLINE, hangs,
                    () -> Pipelines.handWired(List.of(List.of("printf", "x"), List.of("sh", "-c", "cat >/dev/null; exit 3")), NO_INPUT)))
                    .as("a command exiting with status 3 should make handWired throw an IOException that says so")
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("exit status 3");

            byte[] done = within(DEADLINE, "handWired did not return for sleep 1 | printf done",
                    () -> Pipelines.handWired(SLOW_FIRST, NO_INPUT));
            assertThat(new String(done, StandardCharsets.UTF_8)).as("sleep 1 | printf done").isEqualTo("done");
            assertThat(Children.newDescendants(childrenBefore))
                    .as("handWired returned while processes it started were still running (or not waited for):"
                            + " wait for every process of the pipeline").isEmpty();
            assertThat(FdTargets.openedSince(pipesBefore, target -> target.startsWith("pipe:")))
                    .as("handWired left pipe descriptors open in this process: close both ends of every pipe you made"
                            + " (the children have their own), and the JDK's streams to every process").isEmpty();
        } finally {
            Children.killNewDescendants(childrenBefore);
        }
    }
}
