package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RotatingLog} in a temp folder of the test's own: real files, real renames. */
class RotatingLogTest {

    private static final String STEP = "Step 2: Whole lines, rotated files";
    private static final int MAX = 4 * 1024;

    @TempDir
    Path dir;

    /** Line {@code n}: numbered, of varying length (13 to 72 bytes with its newline), so files fill unevenly. */
    private static String line(int n) {
        return String.format("line %06d %s\n", n, "-".repeat(n * 7 % 60));
    }

    private List<String> folder() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("1,000 lines, max 4 KiB, keep 3: the log and .1–.3 only, each ≤ 4 KiB, the last lines whole and in order; files 0600; a longer line alone")
    void rotatesBySizeKeepsN() throws IOException {
        Path file = dir.resolve("app-out.log");
        try (RotatingLog log = new RotatingLog(file, new LogPolicy(MAX, 3))) {
            for (int n = 1; n <= 1000; n++) {
                log.append(line(n).getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(folder()).as("the log and its 3 newest rotated files; older ones dropped, nothing else made")
                .containsExactly("app-out.log", "app-out.log.1", "app-out.log.2", "app-out.log.3");

        List<String> lines = new ArrayList<>();
        for (String name : List.of("app-out.log.3", "app-out.log.2", "app-out.log.1", "app-out.log")) {
            Path f = dir.resolve(name);
            String text = Files.readString(f);
            assertThat(Files.size(f)).as(name + " must not exceed maxBytes").isLessThanOrEqualTo(MAX);
            assertThat(text).as(name + " ends with a whole line: a line is never split across two files").endsWith("\n");
            assertThat(Files.getPosixFilePermissions(f)).as(name + " may hold anything an app prints: 0600")
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            if (!name.equals("app-out.log")) {
                assertThat(Files.size(f)).as(name + " was rotated only when the next line (≤ 72 bytes) would not fit")
                        .isGreaterThan(MAX - 72);
            }
            text.lines().forEach(l -> lines.add(l + "\n"));
        }
        int first = 1001 - lines.size();
        assertThat(lines).as(".3, .2, .1 and the log, in that order, hold the last lines written, each once and whole")
                .containsExactlyElementsOf(IntStream.rangeClosed(first, 1000).mapToObj(RotatingLogTest::line).toList());

        long before = Files.size(file);
        try (RotatingLog again = new RotatingLog(file, new LogPolicy(MAX, 3))) {
            again.append(line(1001).getBytes(StandardCharsets.UTF_8));
        }
        if (before + line(1001).length() > MAX) {
            assertThat(Files.readString(file)).as("opened again with " + before + " bytes, the log knows its size: line 1001 would not fit, so it rotated")
                    .isEqualTo(line(1001));
        } else {
            assertThat(Files.readString(file)).as("opened again, the log appends after what it held").endsWith(line(1000) + line(1001));
        }
        longLineAlone();
    }

    /** A line longer than maxBytes: the rule "rotate when the file is not empty" gives it a file of its own. */
    private void longLineAlone() throws IOException {
        Path big = Files.createDirectory(dir.resolve("big"));
        Path file = big.resolve("big-out.log");
        String longLine = "b".repeat(2 * MAX) + "\n";
        try (RotatingLog log = new RotatingLog(file, new LogPolicy(MAX, 5))) {
            log.append("before\n".getBytes(StandardCharsets.UTF_8));
            log.append(longLine.getBytes(StandardCharsets.UTF_8));
            log.append("after\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.readString(big.resolve("big-out.log.2"))).as("a line of 8 KiB with max 4 KiB: what came before it was rotated away")
                .isEqualTo("before\n");
        assertThat(Files.readString(big.resolve("big-out.log.1"))).as("the 8 KiB line, alone in a file").isEqualTo(longLine);
        assertThat(Files.readString(file)).as("the next line begins a new file").isEqualTo("after\n");
    }
}
