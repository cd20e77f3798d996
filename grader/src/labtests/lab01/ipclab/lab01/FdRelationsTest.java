package ipclab.lab01;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Steps 4 and 5: how two descriptors relate, in one process and across two. */
class FdRelationsTest {

    /** Descriptor numbers this high are free in a freshly started child JVM. */
    private static final int HIGH_FD = 300;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    @DisplayName("in one process: dup shares the open file description, a second open or a hard link only the inode")
    @Graded(points = 12, handout = "Step 4: Relate two descriptors in one process")
    void relatesWithinOneProcess(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.txt"), "alpha");
        Path b = Files.writeString(dir.resolve("b.txt"), "beta");
        Path link = Files.createLink(dir.resolve("a-again.txt"), a);
        try (TestFds fds = new TestFds()) {
            int a1 = fds.open(a, Libc.O_RDONLY);
            int a2 = fds.open(a, Libc.O_RDONLY);
            int copy = fds.keep(Libc.dup(a1));
            int other = fds.open(b, Libc.O_RDONLY);
            int viaLink = fds.open(link, Libc.O_RDONLY);
            int[] pipe = fds.pipe(Libc.O_CLOEXEC);

            assertThat(classify(a1, copy))
                    .as("fd %d and its dup fd %d: dup(2) gives a second number for the same open file description, "
                            + "and kcmp(KCMP_FILE) returns 0 for such a pair", a1, copy)
                    .isEqualTo(Relation.SAME_OPEN_FILE_DESCRIPTION);
            assertThat(classify(copy, a1)).as("fd %d and fd %d, asked the other way round", copy, a1)
                    .isEqualTo(Relation.SAME_OPEN_FILE_DESCRIPTION);
            assertThat(classify(a1, a2))
                    .as("fd %d and fd %d, two open() calls of a.txt: two open file descriptions (kcmp is not 0) "
                            + "of one inode (equal st_dev and st_ino through /proc/self/fd/N)", a1, a2)
                    .isEqualTo(Relation.SAME_INODE);
            assertThat(classify(a1, viaLink))
                    .as("fd %d (a.txt) and fd %d (a-again.txt, a hard link to a.txt): two names, one inode; "
                            + "compare inodes, not paths", a1, viaLink)
                    .isEqualTo(Relation.SAME_INODE);
            assertThat(classify(a1, other)).as("fd %d (a.txt) and fd %d (b.txt)", a1, other).isEqualTo(Relation.UNRELATED);
            assertThat(classify(other, a1)).as("fd %d (b.txt) and fd %d (a.txt)", other, a1).isEqualTo(Relation.UNRELATED);
            assertThat(classify(pipe[0], pipe[1]))
                    .as("the two ends of one pipe, fd %d and fd %d: pipe2 makes two open file descriptions "
                            + "(one O_RDONLY, one O_WRONLY) of one pipe inode", pipe[0], pipe[1])
                    .isEqualTo(Relation.SAME_INODE);

            Libc.dup2(a1, a2);
            assertThat(classify(a1, a2))
                    .as("fd %d and fd %d after dup2(%d, %d): dup2 closed fd %d's own open file description "
                            + "and made it a copy of fd %d", a1, a2, a1, a2, a2, a1)
                    .isEqualTo(Relation.SAME_OPEN_FILE_DESCRIPTION);

            // A number far above the others, so no other thread is handed it again before the check.
            int closed = fds.keep(Libc.fcntl(a1, Libc.F_DUPFD_CLOEXEC, 900));
            fds.closeNow(closed);
            assertThatThrownBy(() -> classify(a1, closed))
                    .as("classify with fd %d, which is closed: that is an error (kcmp fails with EBADF), "
                            + "not an UNRELATED answer", closed)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    @DisplayName("across processes: an inherited stdout is one open file description; the same file opened by each is one inode")
    @Graded(points = 10, handout = "Step 5: Relate descriptors across processes")
    void relatesInheritedAndReopened(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("shared.txt"), "shared");
        try (TestFds fds = new TestFds()) {
            int ours = fds.openAtOrAbove(file, HIGH_FD);
            try (ChildProcess child = FdHolder.start(Redirect.INHERIT, Map.of(ours, file), DEADLINE)) {
                FdRef ourStdout = FdRef.self(1);
                FdRef childStdout = new FdRef(child.pid(), 1);
                assertThat(FdRelations.classify(ourStdout, childStdout))
                        .as("%s and %s: the child was started with its stdout inherited, so its fd 1 refers to this "
                                + "JVM's open file description for fd 1 (kcmp(KCMP_FILE) across the two pids returns 0)",
                                ourStdout, childStdout)
                        .isEqualTo(Relation.SAME_OPEN_FILE_DESCRIPTION);
                FdRef ourFile = FdRef.self(ours);
                FdRef childFile = new FdRef(child.pid(), ours);
                assertThat(FdRelations.classify(ourFile, childFile))
                        .as("%s and %s: the same number, and each process opened shared.txt itself: "
                                + "two open file descriptions of one inode", ourFile, childFile)
                        .isEqualTo(Relation.SAME_INODE);
                assertThat(FdHolder.release(child, DEADLINE)).as("exit status of the holder child").isZero();
            }
        }
    }

    @Test
    @DisplayName("across processes: a descriptor number means nothing, the same number can be another file and another number the same one")
    @Graded(points = 8, handout = "Step 5: Relate descriptors across processes")
    void numbersArePerProcess(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.txt"), "alpha");
        Path b = Files.writeString(dir.resolve("b.txt"), "beta");
        try (TestFds fds = new TestFds()) {
            int ourA = fds.openAtOrAbove(a, HIGH_FD);
            int ourB = fds.openAtOrAbove(b, HIGH_FD);
            // The child gets the same two numbers with the files swapped.
            try (ChildProcess child = FdHolder.start(Redirect.PIPE, Map.of(ourA, b, ourB, a), DEADLINE)) {
                long pid = child.pid();
                assertThat(FdRelations.classify(FdRef.self(ourA), new FdRef(pid, ourA)))
                        .as("our fd %d (a.txt) and the child's fd %d (b.txt): the same number, different files", ourA, ourA)
                        .isEqualTo(Relation.UNRELATED);
                assertThat(FdRelations.classify(FdRef.self(ourA), new FdRef(pid, ourB)))
                        .as("our fd %d (a.txt) and the child's fd %d (a.txt, opened by the child): different numbers, "
                                + "one inode", ourA, ourB)
                        .isEqualTo(Relation.SAME_INODE);
                assertThat(FdRelations.classify(new FdRef(pid, ourA), FdRef.self(ourB)))
                        .as("the child's fd %d (b.txt) and our fd %d (b.txt)", ourA, ourB)
                        .isEqualTo(Relation.SAME_INODE);
                assertThat(FdHolder.release(child, DEADLINE)).as("exit status of the holder child").isZero();
            }
        }
    }

    private static Relation classify(int a, int b) throws IOException {
        return FdRelations.classify(FdRef.self(a), FdRef.self(b));
    }
}
