package ipclab.lab03;

import static ipclab.lab03.TestKit.DEADLINE;
import static ipclab.lab03.TestKit.rawRequest;
import static ipclab.testkit.Await.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShutdownTest {

    /** The exit status of a process ended by SIGTERM: 128 + 15. A JVM exits with it after running its shutdown hooks. */
    private static final int KILLED_BY_SIGTERM = 128 + Libc.SIGTERM;

    @Test
    @Graded(points = 7, handout = "Step 8: Shut down cleanly, also on SIGTERM")
    @DisplayName("a server process started with SequenceServer.main answers another process's request, and on SIGTERM exits and removes its request FIFO")
    void sigtermRemovesTheFifo(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("seqnum");
        try (ChildProcess server = ChildJvm.main(SequenceServer.class).args(fifo.toString(), "500")
                .redirectError(Redirect.PIPE).start()) {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.process().getInputStream(), StandardCharsets.UTF_8));
            String ready = within(Duration.ofSeconds(20), "the server printed nothing", out::readLine);
            if (ready == null) {
                fail("the server process ended before it printed \"" + SequenceServer.READY + " <request FIFO>\": "
                        + TestKit.exitReport(server));
            }
            assertThat(ready)
                    .as("the server's first line should be \"%s <request FIFO>\", printed once clients may come",
                            SequenceServer.READY)
                    .startsWith(SequenceServer.READY);
            assertThat(TestKit.isFifo(fifo)).as("the server should have made its request FIFO %s", fifo).isTrue();
            assertThat(rawRequest(fifo, 4)).as("this process's request to the server process (it starts at 500)").isEqualTo(500);

            Libc.kill(server.pid(), Libc.SIGTERM);
            int status = within(Duration.ofSeconds(15), "the server did not exit after SIGTERM: does its shutdown hook"
                    + " stop serve() (stop() wakes it) and wait a bounded time?", () -> server.waitFor(DEADLINE));
            assertThat(status)
                    .as("a JVM ended by SIGTERM exits with %d once its shutdown hooks have run", KILLED_BY_SIGTERM)
                    .isEqualTo(KILLED_BY_SIGTERM);
            assertThat(TestKit.mode(fifo))
                    .as("the server was ended by SIGTERM, but %s is still there: register a shutdown hook"
                            + " (Runtime.addShutdownHook) that stops the server and closes it, which removes the FIFO", fifo)
                    .isEqualTo(-1);
        }
    }
}
