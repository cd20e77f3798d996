package ipclab.lab08;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ipclab.grader.api.Graded;
import ipclab.testkit.FdTargets;
import java.io.FileDescriptor;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TruncationTest {

    private static final String STEP = "Step 4: When the control buffer is too small";

    @Test
    @Graded(points = 15, handout = STEP)
    @DisplayName("eight descriptors into room for two: ControlTruncatedException (MSG_CTRUNC), and not one descriptor leaks")
    void truncatedControlLeaksNothing() throws Exception {
        try (TestKit.Link link = TestKit.Link.start("send-devnull", "8")) {
            assertThat(link.line("the child did not send its descriptors")).isEqualTo("sent");
            Set<Integer> before = FdTargets.ofThisProcess().keySet();
            Throwable thrown = catchThrowable(() -> link.channel().receiveAtMost(16, 2));
            Set<Integer> after = FdTargets.ofThisProcess().keySet();
            if (thrown instanceof UnsupportedOperationException todo) {
                throw todo; // a TODO reads as a TODO
            }
            assertThat(thrown)
                    .as("the sender attached 8 descriptors and our control buffer had room for 2: recvmsg sets MSG_CTRUNC "
                            + "in msg_flags, which must become a ControlTruncatedException, not a quiet short list")
                    .isInstanceOf(ControlTruncatedException.class);
            assertThat(((ControlTruncatedException) thrown).delivered())
                    .as("the kernel installs the descriptors that fit (2) and closes the other 6").isEqualTo(2);
            assertThat(after)
                    .as("the 2 descriptors that did arrive are new entries in our table: receiveAtMost must close them "
                            + "before throwing, or they leak (compare the lists: the extra numbers are the leak)")
                    .isEqualTo(before);
            link.go();
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("with room for exactly as many descriptors as were sent, receiveAtMost returns them all")
    void exactRoomIsEnough() throws Exception {
        try (TestKit.Link link = TestKit.Link.start("send-devnull", "4")) {
            assertThat(link.line("the child did not send its descriptors")).isEqualTo("sent");
            Set<Integer> before = FdTargets.ofThisProcess().keySet();
            Received received = link.channel().receiveAtMost(16, 4);
            try {
                assertThat(received.text()).isEqualTo("x");
                assertThat(received.descriptors()).as("four /dev/null descriptors fit in CMSG_SPACE(4 * sizeof(int))").hasSize(4);
                for (FileDescriptor fd : received.descriptors()) {
                    int number = Descriptors.number(fd);
                    assertThat(FdTargets.target(number))
                            .as("received descriptor %d should point at /dev/null, like the child's", number)
                            .isEqualTo("/dev/null");
                }
            } finally {
                for (FileDescriptor fd : received.descriptors()) {
                    Descriptors.close(fd);
                }
            }
            assertThat(FdTargets.ofThisProcess().keySet()).as("after closing what we received, our table is as before").isEqualTo(before);
            link.go();
            assertThat(link.child().waitFor(TestKit.DEADLINE)).isZero();
        }
    }
}
