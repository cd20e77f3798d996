package ipclab.lab01;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * Step 8: {@code cmd > file} by hand. Each test keeps a descriptor of its own for the original
 * stdout, checks with kcmp(2) that fd 1 was given back, and repairs fd 1 itself when it was not, so
 * a broken redirect cannot swallow the rest of the run's output.
 */
@Timeout(10)
class StdoutRedirectTest {

    private static final int STDOUT = 1;

    @Test
    @DisplayName("intoFile sends fd 1 into a truncated file while the body runs, then restores the same open file description without leaking a descriptor")
    @Graded(points = 8, handout = "Step 8: Redirect stdout like a shell")
    void redirectsAndRestores(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.txt");
        Files.writeString(file, "stale content, longer than what the body writes, that O_TRUNC must remove\n");
        byte[] line = "written with write(1, ...)\n".getBytes(StandardCharsets.US_ASCII);
        List<String> fd1DuringBody = new ArrayList<>();

        Check check = Check.around(file, () -> StdoutRedirect.intoFile(file, () -> {
            fd1DuringBody.add(FdTargets.target(STDOUT));
            int written = Libc.write(STDOUT, line, 0, line.length);
            assertThat(written).isEqualTo(line.length);
        }));

        if (check.thrown() != null) {
            fail("intoFile(file, body) threw " + check.thrown(), check.thrown());
        }
        assertThat(fd1DuringBody).as("intoFile ran its body once").hasSize(1);
        assertThat(fd1DuringBody.getFirst())
                .as("what fd 1 referred to while the body ran: the file, after dup2(fileFd, 1)")
                .isEqualTo(file.toRealPath().toString());
        assertThat(Files.readString(file, StandardCharsets.US_ASCII))
                .as("the file after the body wrote one line to fd 1. It must hold exactly that line: open it "
                        + "O_WRONLY|O_CREAT|O_TRUNC, as the shell's > does")
                .isEqualTo(new String(line, StandardCharsets.US_ASCII));
        check.assertRestoredWithoutLeaks();
    }

    @Test
    @DisplayName("intoFile restores fd 1 and closes its copies also when the body throws, and passes the exception on")
    @Graded(points = 4, handout = "Step 8: Redirect stdout like a shell")
    void restoresWhenBodyThrows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("out.txt");
        IOException failure = new IOException("the body failed on purpose");

        Check check = Check.around(file, () -> StdoutRedirect.intoFile(file, () -> {
            throw failure;
        }));

        if (check.thrown() == null) {
            fail("intoFile returned normally although its body threw an IOException: let the body's exception "
                    + "propagate (restore fd 1 in a finally block instead of catching it)");
        } else if (check.thrown() != failure) {
            fail("intoFile should pass on, unchanged, the IOException its body threw, but it threw instead: "
                    + check.thrown(), check.thrown());
        }
        check.assertRestoredWithoutLeaks();
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException;
    }

    /** What fd 1 and its copies looked like around a call of intoFile. */
    private record Check(Path file, Throwable thrown, boolean restored, Set<Integer> copiesBefore,
                         Set<Integer> leakedCopies, List<Integer> leakedFileFds) {

        static Check around(Path file, Action action) throws IOException {
            System.out.flush();
            int original = Libc.fcntl(STDOUT, Libc.F_DUPFD_CLOEXEC, 0); // the test's own handle on stdout
            try {
                Set<Integer> before = TestFds.sharingWith(original);
                Throwable thrown = catchThrowable(action::run);
                boolean restored = TestFds.sameOpenFileDescription(STDOUT, original);
                if (!restored) {
                    Libc.dup2(original, STDOUT); // repair, so the rest of the run can still print
                }
                // Close whatever the call left open, so one failure does not spill into other tests.
                Set<Integer> leakedCopies = new TreeSet<>(TestFds.sharingWith(original));
                leakedCopies.removeAll(before);
                // No file, no descriptor for it: the call may have failed before creating it.
                List<Integer> leakedFileFds = Files.exists(file) ? FdTargets.referringTo(file.toRealPath()) : List.of();
                for (int fd : leakedCopies) {
                    Libc.close(fd);
                }
                for (int fd : leakedFileFds) {
                    Libc.close(fd);
                }
                return new Check(file, thrown, restored, before, leakedCopies, leakedFileFds);
            } finally {
                Libc.close(original);
            }
        }

        void assertRestoredWithoutLeaks() {
            assertThat(restored)
                    .as("whether fd 1 refers again, after intoFile, to the open file description it had before "
                            + "(kcmp against the test's own copy). If not: save a copy with fcntl(1, F_DUPFD_CLOEXEC) "
                            + "before dup2-ing the file onto 1, and dup2 the copy back in a finally block")
                    .isTrue();
            assertThat(leakedCopies)
                    .as("descriptors still open afterwards on the original stdout, besides those that were there "
                            + "before (%s): close the saved copy after dup2-ing it back", copiesBefore)
                    .isEmpty();
            assertThat(leakedFileFds)
                    .as("descriptors still open afterwards on %s: close the descriptor open() gave you once it "
                            + "has been dup2-ed onto 1", file.getFileName())
                    .isEmpty();
        }
    }
}
