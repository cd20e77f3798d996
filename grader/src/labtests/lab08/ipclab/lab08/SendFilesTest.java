package ipclab.lab08;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendFilesTest {

    private static final String STEP = "Step 1: Send and receive descriptors";
    private static final String CONTENT = "0123456789abcdefghijklmnopqrstuvwxyz";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 15, handout = STEP)
    @DisplayName("an open file sent to a child JVM arrives there as a descriptor the child can read, at the sender's offset")
    void childReadsAFileItNeverOpened() throws Exception {
        Path file = Files.writeString(dir.resolve("shared.txt"), CONTENT);
        try (FileInputStream in = new FileInputStream(file.toFile());
             TestKit.Link link = TestKit.Link.start("read-file")) {
            byte[] first = in.readNBytes(10); // our offset is now 10
            assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(CONTENT.substring(0, 10));
            link.channel().send("file".getBytes(StandardCharsets.UTF_8), in.getFD());
            String fdLine = link.line("the child never reported the descriptor it received: did receive() return it?");
            int childFd = Integer.parseInt(fdLine.substring("fd ".length()));
            assertThat(FdTargets.target(link.pid(), childFd))
                    .as("in the child, /proc/%d/fd/%d should point at the file we sent", link.pid(), childFd)
                    .isEqualTo(file.toRealPath().toString());
            link.go();
            assertThat(link.line("the child did not report what it read"))
                    .as("the child read through its new descriptor; it shares our open file description, so it "
                            + "starts at OUR offset (10), not at 0. Reading from 0 means the child opened the file anew")
                    .isEqualTo("read " + CONTENT.substring(10));
            assertThat(Libc.lseek(Descriptors.number(in.getFD()), 0, Libc.SEEK_CUR))
                    .as("the child's reads moved the offset we share: ours is at the end of the file now")
                    .isEqualTo(CONTENT.length());
            assertThat(link.child().waitFor(TestKit.DEADLINE)).as("the child's exit status").isZero();
        }
    }

    @Test
    @Graded(points = 10, handout = STEP)
    @DisplayName("eight descriptors sent in one message all arrive, in the order they were listed")
    void eightAtOnce() throws Exception {
        List<FileInputStream> files = new ArrayList<>();
        try (TestKit.Link link = TestKit.Link.start("read-many")) {
            FileDescriptor[] fds = new FileDescriptor[8];
            for (int i = 0; i < fds.length; i++) {
                FileInputStream in = new FileInputStream(Files.writeString(dir.resolve("f" + i), "content " + i).toFile());
                files.add(in);
                fds[i] = in.getFD();
            }
            link.channel().send("eight".getBytes(StandardCharsets.UTF_8), fds);
            assertThat(link.line("the child did not say how many descriptors it received"))
                    .as("one sendmsg carries all eight descriptors in one SCM_RIGHTS message, with the data \"eight\"")
                    .isEqualTo("got 8 eight");
            for (int i = 0; i < fds.length; i++) {
                assertThat(link.line("the child did not read file " + i))
                        .as("descriptor %d of the message should be the %d-th file we listed", i, i)
                        .isEqualTo("file content " + i);
            }
            assertThat(link.child().waitFor(TestKit.DEADLINE)).as("the child's exit status").isZero();
        } finally {
            for (FileInputStream in : files) {
                in.close();
            }
        }
    }
}
