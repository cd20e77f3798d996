package ipclab.lab08;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SameOpenFileTest {

    private static final String STEP = "Step 2: The same open file description";
    private static final String CONTENT = "the quick brown fox jumps over the lazy dog";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("kcmp(2) says the sender's descriptor and the child's received one are the same open file; a second open(2) is not")
    void kcmpAcrossProcesses() throws Exception {
        Path file = Files.writeString(dir.resolve("kcmp.txt"), CONTENT);
        long me = ProcessHandle.current().pid();
        try (FileInputStream in = new FileInputStream(file.toFile());
             FileInputStream other = new FileInputStream(file.toFile());
             TestKit.Link link = TestKit.Link.start("read-file")) {
            int ours = Descriptors.number(in.getFD());
            link.channel().send("file".getBytes(StandardCharsets.UTF_8), in.getFD());
            int theirs = Integer.parseInt(link.line("the child never reported the descriptor it received").substring(3));
            assertThat(Descriptors.sameOpenFile(me, ours, link.pid(), theirs))
                    .as("our fd %d and the child's fd %d must be one open file description (kcmp(KCMP_FILE) == 0)", ours, theirs)
                    .isTrue();
            assertThat(Descriptors.sameOpenFile(me, Descriptors.number(other.getFD()), link.pid(), theirs))
                    .as("a second open(2) of the same path makes a NEW open file description (its own offset): "
                            + "kcmp must say 'different' — comparing paths or inodes is not enough")
                    .isFalse();
            link.go();
            assertThat(link.line("the child did not report what it read")).isEqualTo("read " + CONTENT);
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("after the sender closes its copy, the receiver's descriptor still works")
    void senderClosesItsCopy() throws Exception {
        Path file = Files.writeString(dir.resolve("closed.txt"), CONTENT);
        try (TestKit.Link link = TestKit.Link.start("read-file")) {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.readNBytes(4);
                link.channel().send("file".getBytes(StandardCharsets.UTF_8), in.getFD());
                link.line("the child never reported the descriptor it received");
            } // our copy is closed now; the open file description lives on in the child
            link.go();
            assertThat(link.line("the child did not report what it read"))
                    .as("the open file description lives as long as ANY descriptor refers to it: closing ours must not "
                            + "end the child's, and the offset we left (4) is still the one it reads from")
                    .isEqualTo("read " + CONTENT.substring(4));
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }
}
