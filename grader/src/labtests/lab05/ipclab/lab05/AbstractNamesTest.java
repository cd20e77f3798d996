package ipclab.lab05;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.UniqueNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;

class AbstractNamesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @Test
    @Graded(points = 10, handout = "Step 2: Names without files")
    @DisplayName("a server on an abstract name is reached by another process, creates no file, and its name vanishes when closed")
    void abstractNameWithoutAFile() throws Exception {
        String name = UniqueNames.of("abstract");
        try (AFUNIXServerSocketChannel server = AbstractNames.listen(name)) {
            assertThat(TestKit.procNetUnix()).as("/proc/net/unix should list the abstract name as @%s", name)
                    .anyMatch(line -> line.endsWith(" @" + name));
            try (ChildProcess child = ChildJvm.main(TestChild.class).args("abstract", name).start()) {
                CompletableFuture<AFUNIXSocketChannel> accepting = Await.onNewThread(server::accept);
                try (AFUNIXSocketChannel peer = Await.await(accepting, DEADLINE,
                        "the child could not connect to the abstract name: bind to AFUNIXSocketAddress.inAbstractNamespace(name)")) {
                    ByteBuffer in = ByteBuffer.allocate(100);
                    while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                        if (peer.read(in) < 0) {
                            break;
                        }
                    }
                    assertThat(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip())
                            .as("what the child JVM sent over the abstract socket").isEqualTo("hello from " + child.pid());
                }
                assertThat(child.waitFor(DEADLINE)).as("the child's exit status").isZero();
            }
            assertThatThrownBy(() -> AbstractNames.listen(name).close())
                    .as("a second bind to a live abstract name must fail (EADDRINUSE), as for a path")
                    .isInstanceOf(IOException.class);
        }
        assertThat(TestKit.procNetUnix())
                .as("once the server socket is closed, the abstract name must be gone: the kernel removes it, no file stays behind")
                .noneMatch(line -> line.endsWith(" @" + name));
        try (AFUNIXServerSocketChannel again = AbstractNames.listen(name);
             AFUNIXSocketChannel client = AbstractNames.connect(name);
             AFUNIXSocketChannel accepted = Await.await(Await.onNewThread(again::accept), DEADLINE, "no accept")) {
            assertThat(accepted.isConnected()).as("the name can be bound again at once: nothing stale to remove").isTrue();
            assertThat(client.isConnected()).isTrue();
        }
    }
}
