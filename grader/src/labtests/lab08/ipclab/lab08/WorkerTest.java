package ipclab.lab08;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import ipclab.testkit.UniqueNames;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;

class WorkerTest {

    private static final String STEP = "Step 5: A worker that accepts on a passed listener";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 15, handout = STEP)
    @DisplayName("the parent binds, hands the listener to a Worker JVM and closes its copy; clients are answered by the worker's pid")
    void workerServesOnAPassedListener() throws Exception {
        String control = UniqueNames.of("control");
        Path service = dir.resolve("cluster.sock");
        try (AFUNIXServerSocketChannel controlServer = FdChannel.listen(control);
             ChildProcess worker = ChildJvm.main(Worker.class).args(control, "2").start();
             FdChannel channel = TestKit.acceptFrom(controlServer, worker,
                     "the worker did not connect to the parent's control socket: does Worker.run connect?")) {
            try (ServerSocketChannel listener = PassSocketsTest.listener(service)) {
                channel.send("listener".getBytes(StandardCharsets.UTF_8), Descriptors.of(listener));
            } // the parent's copy is gone: only the worker can accept now
            Received ready = Await.within(TestKit.DEADLINE, "the worker never said \"ready\" after receiving the listener", () -> channel.receive(64));
            assertThat(ready.text()).as("the worker's first message").isEqualTo("ready\n");
            for (int i = 0; i < 2; i++) {
                try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(service))) {
                    assertThat(Await.within(TestKit.DEADLINE, "client " + i + " got no answer (and no EOF) from the worker",
                            () -> PassSocketsTest.readToEnd(client)))
                            .as("client %d: answered by the worker itself, then EOF", i)
                            .isEqualTo("Request handled by worker-" + worker.pid() + "\n");
                }
            }
            assertThat(worker.waitFor(TestKit.DEADLINE)).as("the worker exits 0 after serving its 2 connections").isZero();
        }
    }
}
