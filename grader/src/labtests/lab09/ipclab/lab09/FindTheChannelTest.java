package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.loop.EventLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

class FindTheChannelTest {

    private static final String STEP = "Step 3: Find the channel";

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("a stranger connecting to the private socket is refused, the child named by pid gets through, and the socket file and directory are gone after")
    void onlyTheChildGetsIn() throws Exception {
        try (EventLoop loop = TestKit.loop(); ChannelServer server = ChannelServer.create()) {
            Path socket = server.socketPath();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
                    .as("the directory that holds the socket must be private (0700): nobody else may reach the socket inside")
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .as("the socket file's mode (0600): connect(2) needs write permission, only our uid may have it")
                    .isEqualTo("rw-------");
            // The stranger is this test JVM itself: same uid, but not the pid of the child we start.
            try (AFUNIXSocketChannel stranger = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket));
                 ChildProcess child = ChildJvm.main(TestChild.class).args("connect")
                         .env(Channel.ENVIRONMENT_VARIABLE, socket.toString()).start();
                 Channel channel = TestKit.within("accept never returned the child's connection",
                         () -> server.accept(child.pid(), TestKit.DEADLINE, ChannelOptions.defaults(), loop))) {
                int strangerRead = TestKit.within("the stranger's connection was neither closed nor answered: did accept() close "
                        + "connections whose SO_PEERCRED pid is not the child's?", () -> stranger.read(ByteBuffer.allocate(16)));
                assertThat(strangerRead)
                        .as("the stranger connected first; accept() must have checked its peer credentials (pid %d, not the child's %d) "
                                + "and closed it, so it reads EOF", ProcessHandle.current().pid(), child.pid())
                        .isEqualTo(-1);
                assertThat(Files.exists(socket))
                        .as("once the child is connected, the socket file %s must be removed: nobody else may connect", socket)
                        .isFalse();
                assertThat(Files.exists(socket.getParent()))
                        .as("once the child is connected, the private directory must be removed as well")
                        .isFalse();
                BufferedReader out = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
                String said = TestKit.within("the child never reported its connection", out::readLine);
                assertThat(said).as("the child found the channel through %s (Channel.fromEnvironment()) and connected; "
                        + "null: it ended first (its error is on its stderr above)", Channel.ENVIRONMENT_VARIABLE)
                        .isEqualTo("connected " + child.pid());
            }
        }
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a process started without IPCLAB_CHANNEL gets a clear error that says how it must be started")
    void noVariableNoChannel() {
        assertThat(System.getenv(Channel.ENVIRONMENT_VARIABLE)).as("the test JVM itself has no channel").isNull();
        assertThatThrownBy(Channel::fromEnvironment)
                .as("Channel.fromEnvironment() in a process that has no %s", Channel.ENVIRONMENT_VARIABLE)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Channel.ENVIRONMENT_VARIABLE)
                .hasMessageContaining("Channel.fork");
    }
}
