package ipclab.lab05;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

class PeerCredentialsTest {

    private static final String STEP = "Step 5: Who is on the other end";
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("the server learns the connecting child JVM's real pid, uid and gid from SO_PEERCRED")
    void serverKnowsTheClientsPid() throws Exception {
        Path path = dir.resolve("creds.sock");
        try (AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open()) {
            server.bind(AFUNIXSocketAddress.of(path));
            try (ChildProcess child = ChildJvm.main(TestChild.class).args("hold", path.toString()).start();
                 AFUNIXSocketChannel accepted = Await.await(Await.onNewThread(server::accept), DEADLINE,
                         "the child did not connect")) {
                Peer peer = PeerCredentials.of(accepted);
                Path proc = Path.of("/proc/" + child.pid());
                assertThat(peer.pid()).as("SO_PEERCRED's pid should be the child JVM's pid (%d), the process that called connect(2)",
                        child.pid()).isEqualTo(child.pid());
                assertThat(peer.uid()).as("SO_PEERCRED's uid: the owner of /proc/%d", child.pid())
                        .isEqualTo(((Number) Files.getAttribute(proc, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue());
                assertThat(peer.gid()).as("SO_PEERCRED's gid: the group of /proc/%d", child.pid())
                        .isEqualTo(((Number) Files.getAttribute(proc, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue());
                accepted.shutdownOutput(); // the child waits for end of stream, then exits
                assertThat(child.waitFor(DEADLINE)).isZero();
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("the JDK's SO_PEERCRED option names the connecting process's user and group")
    void jdkPrincipalNamesTheUser() throws Exception {
        Path path = dir.resolve("principal.sock");
        try (ServerSocketChannel server = TestKit.rawListener(path);
             ChildProcess child = ChildJvm.main(TestChild.class).args("hold", path.toString()).start();
             SocketChannel accepted = TestKit.acceptWithin(server, DEADLINE, "the child did not connect")) {
            UnixDomainPrincipal principal = PeerCredentials.principal(accepted);
            Path proc = Path.of("/proc/" + child.pid());
            assertThat(principal.user().getName()).as("the user of the connecting child (owner of %s)", proc)
                    .isEqualTo(Files.getOwner(proc, LinkOption.NOFOLLOW_LINKS).getName());
            assertThat(principal.group().getName()).as("the group of the connecting child")
                    .isEqualTo(Files.readAttributes(proc, java.nio.file.attribute.PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).group().getName());
            accepted.shutdownOutput();
            assertThat(child.waitFor(DEADLINE)).isZero();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
