package ipclab.grader.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit of a runner's event log: a log the runner wrote is read back whole; any line it did not
 * write, and any story no runner tells, is a violation. Each rule is broken here with lines signed
 * by the right key, so that only that rule can catch it.
 */
@DisplayName("the audit of the runner's event log")
class EventAuditTest {

    private static final String A = "[engine:junit-jupiter]/[class:x.ATest]/[method:a()]";
    private static final String B = "[engine:junit-jupiter]/[class:x.ATest]/[method:b()]";
    private static final Set<String> PLANNED = Set.of(A, B);

    @TempDir
    Path dir;

    private final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private int logs;

    /** A new log, written by the runner's own EventLog with the key. */
    private Path log(RunnerEvent... events) throws IOException {
        Path file = dir.resolve("events-" + ++logs + ".jsonl");
        try (EventLog log = new EventLog(file, key.clone())) {
            for (RunnerEvent e : events) {
                log.write(e);
            }
        }
        return file;
    }

    private List<RunnerEvent> audit(Path file) throws Exception {
        return EventAudit.read(file, key, PLANNED, id -> false);
    }

    @Test
    @DisplayName("the runner's own log is read back whole, and a last line cut short by a crash is forgiven")
    void honestLog() throws Exception {
        Path file = log(RunnerEvent.start(A), RunnerEvent.finish(A, "passed", null), RunnerEvent.start(B));
        Files.writeString(file, "ab12 {\"seq\":3", StandardOpenOption.APPEND);
        assertThat(audit(file)).extracting(RunnerEvent::event)
                .containsExactly(RunnerEvent.Kind.start, RunnerEvent.Kind.finish, RunnerEvent.Kind.start);
    }

    @Test
    @DisplayName("a line signed with another key is not the runner's")
    void wrongKey() throws Exception {
        Path file = log(RunnerEvent.start(A));
        byte[] other = key.clone();
        other[0] ^= 1;
        assertThatThrownBy(() -> EventAudit.read(file, other, PLANNED, id -> false))
                .isInstanceOf(EventAudit.Violation.class).hasMessageContaining("signature is wrong");
    }

    @Test
    @DisplayName("a repeated line breaks the sequence")
    void replayed() throws Exception {
        Path file = log(RunnerEvent.start(A), RunnerEvent.finish(A, "passed", null));
        List<String> lines = Files.readAllLines(file);
        Files.writeString(file, lines.get(1) + "\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> audit(file)).hasMessageContaining("repeated or reordered");
    }

    @Test
    @DisplayName("a test the grader did not plan, a finish without a start, a test run twice and events after done are violations")
    void impossibleStories() throws Exception {
        String unplanned = "[engine:junit-jupiter]/[class:x.Free]/[method:points()]";
        assertThatThrownBy(() -> audit(log(RunnerEvent.start(unplanned))))
                .hasMessageContaining("did not plan");
        assertThatThrownBy(() -> audit(log(RunnerEvent.finish(A, "passed", null))))
                .hasMessageContaining("without having started");
        assertThatThrownBy(() -> audit(log(RunnerEvent.start(A), RunnerEvent.finish(A, "failed", "x"),
                RunnerEvent.start(A)))).hasMessageContaining("second time");
        assertThatThrownBy(() -> audit(log(RunnerEvent.start(A), RunnerEvent.start(B))))
                .hasMessageContaining("while");
        assertThatThrownBy(() -> audit(log(RunnerEvent.done(), RunnerEvent.start(A))))
                .hasMessageContaining("after the runner said it was done");
        assertThatThrownBy(() -> EventAudit.read(log(RunnerEvent.start(A)), key, PLANNED, A::equals))
                .as("a test an earlier runner JVM already finished").hasMessageContaining("second time");
    }

    @Test
    @DisplayName("a log replaced by a link or a FIFO is neither followed nor opened")
    void notAFile() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), log(RunnerEvent.start(A)));
        assertThatThrownBy(() -> audit(link)).hasMessageContaining("not a file");
        Path fifo = dir.resolve("fifo.jsonl");
        ipclab.support.Libc.mkfifo(fifo, 0600);
        assertThatThrownBy(() -> audit(fifo)).hasMessageContaining("not a file");
    }
}
