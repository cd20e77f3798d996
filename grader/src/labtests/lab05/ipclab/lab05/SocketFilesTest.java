package ipclab.lab05;

import static ipclab.lab05.TestKit.acceptWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.BufferedReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketFilesTest {

    private static final String STEP = "Step 1: A socket file on a path";
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("listen creates a socket file that another process connects to; probe tells a live socket from no file")
    void listenCreatesASocketFileAnotherProcessConnectsTo() throws Exception {
        Path path = dir.resolve("server.sock");
        assertThat(SocketFiles.probe(path)).as("probe of a path where nothing exists").isEqualTo(PathState.ABSENT);
        try (ServerSocketChannel server = SocketFiles.listen(path)) {
            assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS))
                    .as("after listen(%s) a socket file should exist there: bind(2) creates it", path).isTrue();
            assertThat(SocketFiles.isSocketFile(path)).as("the file at %s should be a socket (ls -l shows 's')", path).isTrue();
            assertThat(SocketFiles.probe(path)).as("probe of the path our own server listens on").isEqualTo(PathState.LIVE);
            try (ChildProcess child = ChildJvm.main(TestChild.class).args("line", path.toString()).start()) {
                // probe connected once too: skip connections that are not the child's hello
                String hello = null;
                for (int attempt = 0; attempt < 3 && hello == null; attempt++) {
                    try (SocketChannel peer = acceptWithin(server, DEADLINE,
                            "no process connected to the socket: is the ServerSocketChannel bound to the path and listening?")) {
                        ByteBuffer in = ByteBuffer.allocate(100);
                        while (peer.read(in) >= 0 && in.position() > 0 && in.get(in.position() - 1) != '\n') {
                            // read the hello line
                        }
                        if (in.position() > 0) {
                            hello = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
                            peer.write(ByteBuffer.wrap("welcome".getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                }
                assertThat(hello).as("what the child JVM (pid %d) sent", child.pid()).isEqualTo("hello from " + child.pid());
                BufferedReader out = TestKit.stdout(child);
                assertThat(TestKit.readLine(child, out, DEADLINE, "the child did not report the server's reply"))
                        .isEqualTo("reply: welcome");
                assertThat(child.waitFor(DEADLINE)).as("the child's exit status").isZero();
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("a stale socket file (connect is refused: ECONNREFUSED) is detected and replaced by a new listening socket")
    void staleSocketFileIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        try {
            TestKit.rawListener(path).close(); // a server that "crashed": its socket file stays behind
            assertThat(SocketFiles.probe(path))
                    .as("nobody listens on %s any more, so connect(2) gets ECONNREFUSED: probe should say STALE", path)
                    .isEqualTo(PathState.STALE);
            try (ServerSocketChannel server = SocketFiles.listen(path);
                 SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                 SocketChannel accepted = acceptWithin(server, DEADLINE, "the new server did not accept a connection")) {
                assertThat(SocketFiles.probe(path))
                        .as("after listen replaced the stale file, a server listens there again").isEqualTo(PathState.LIVE);
                client.write(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer one = ByteBuffer.allocate(1);
                accepted.read(one);
                assertThat(one.get(0)).as("a byte sent through the new socket").isEqualTo((byte) 42);
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("listen refuses a path where another process's server is live, and never removes a file that is not a socket")
    void liveServerIsNotStolen() throws Exception {
        Path path = dir.resolve("live.sock");
        try (ChildProcess child = ChildJvm.main(TestChild.class).args("serve", path.toString()).start()) {
            BufferedReader out = TestKit.stdout(child);
            assertThat(TestKit.readLine(child, out, DEADLINE, "the child server did not start listening")).isEqualTo("listening");
            long inode = (Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            assertThatThrownBy(() -> SocketFiles.listen(path).close())
                    .as("another process (pid %d) listens on %s: listen must throw SocketInUseException, not remove its file",
                            child.pid(), path)
                    .isInstanceOf(SocketInUseException.class);
            assertThat((Long) Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS))
                    .as("the live server's socket file was replaced: its clients can no longer reach it").isEqualTo(inode);
            assertThat(SocketFiles.probe(path)).as("probe of another process's live server").isEqualTo(PathState.LIVE);
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                ByteBuffer reply = ByteBuffer.allocate(6);
                while (reply.hasRemaining() && c.read(reply) >= 0) {
                    // "alive\n"
                }
                assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8))
                        .as("the child's server should still answer on its path after our failed listen").isEqualTo("alive\n");
            }
            child.process().getOutputStream().close(); // the child stops and removes its file
            assertThat(child.waitFor(DEADLINE)).isZero();
        } finally {
            Files.deleteIfExists(path);
        }

        Path regular = dir.resolve("notes.txt");
        Files.writeString(regular, "precious");
        assertThat(SocketFiles.probe(regular)).as("probe of a regular file").isEqualTo(PathState.NOT_A_SOCKET);
        assertThatThrownBy(() -> SocketFiles.listen(regular).close())
                .as("listen on a regular file should fail with FileAlreadyExistsException and leave the file alone")
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(regular)).as("the regular file must survive listen").isEqualTo("precious");
    }
}
