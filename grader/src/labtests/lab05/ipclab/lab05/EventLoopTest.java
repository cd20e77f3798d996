package ipclab.lab05;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Await;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLoopTest {

    private static final int CLIENTS = 200;
    private static final int ROUNDS = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 16, handout = "Step 6: One thread, many clients")
    @DisplayName("one event-loop thread serves 200 concurrent clients of another process, and closes each connection its client ends")
    void oneThreadServesTwoHundredClients() throws Exception {
        Path path = dir.resolve("loop.sock");
        // The server owns the listener once started; closing it here too is harmless, and closes it if start fails.
        try (ServerSocketChannel listener = TestKit.rawListener(path);
             EventLoopServer server = EventLoopServer.start(listener, EventLoopServer.DEFAULT_OUTPUT_CAP);
             ChildProcess clients = ChildJvm.main(TestChild.class)
                     .args("many", path.toString(), Integer.toString(CLIENTS), Integer.toString(ROUNDS)).start()) {
            BufferedReader out = TestKit.stdout(clients);
            String first = TestKit.readLine(clients, out, DEADLINE, "the " + CLIENTS + " clients did not all get their"
                    + " first upper-cased reply. Does the loop accept every pending connection, read each ready client,"
                    + " and write replies when the socket is writable? (the child's errors are on stderr)");
            assertThat(first).isEqualTo("connected");
            assertThat(server.connections())
                    .as("all %d clients are connected and have been answered at once: connections() should be %d", CLIENTS, CLIENTS)
                    .isEqualTo(CLIENTS);
            assertThat(server.servingThreads())
                    .as("every connection must be served by the one event-loop thread (a thread per client would show"
                            + " here as many names); the bookkeeping methods record who calls them")
                    .containsExactly("event-loop");
            OutputStream go = clients.process().getOutputStream();
            go.write('\n');
            go.flush();
            assertThat(TestKit.readLine(clients, out, DEADLINE, "the clients' later rounds did not complete")).isEqualTo("ok");
            assertThat(clients.waitFor(DEADLINE)).as("the clients' exit status").isZero();
            Await.until(Duration.ofSeconds(10), () -> server.connections() == 0,
                    "the clients have all closed, but the server still counts " + server.connections() + " connections:"
                            + " when read returns -1 (end of stream) and nothing is left to send, close the connection");
            assertThat(server.accepted()).as("connections accepted in all").isEqualTo(CLIENTS);
            assertThat(server.failure()).as("the event loop should still be running without a failure").isNull();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
