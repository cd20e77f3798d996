package ipclab.lab02;

import static ipclab.testkit.Await.within;
import static ipclab.testkit.Bytes.assertSameBytes;
import static ipclab.testkit.Bytes.everyByteValue;
import static ipclab.testkit.Bytes.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.testkit.Children;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MessageChannelTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    @Graded(points = 10, handout = "Step 8: A framed message channel")
    @DisplayName("a child JVM running EchoChild echoes 1 MiB messages holding every byte value, and exits 0 when its stdin is closed")
    void echoChildEchoesMessagesOverPipes() throws Exception {
        Set<Long> childrenBefore = Children.liveDescendants();
        List<byte[]> messages = List.of(
                "hello".getBytes(StandardCharsets.UTF_8),
                new byte[0],
                everyByteValue(1024 * 1024),
                randomBytes(1024 * 1024, 9));
        try (MessageChannel channel = MessageChannel.start(EchoChild.class)) {
            within(DEADLINE, "the exchange with EchoChild got stuck. Does send() flush the frame, and does EchoChild"
                    + " flush after each reply? Bytes that sit in a buffer never reach the other process", () -> {
                for (byte[] message : messages) {
                    channel.send(message);
                    byte[] reply = channel.receive();
                    assertThat(reply).as("EchoChild closed its stdout instead of replying to a %d-byte message"
                            + " (did it fail? its errors appear on stderr)", message.length).isNotNull();
                    assertSameBytes(reply, message, "the echo of a " + message.length + "-byte message");
                }
                int status = channel.finish(Duration.ofSeconds(10));
                assertThat(status)
                        .as("EchoChild should exit with status 0 once its stdin ends between two frames (finish() closes it)")
                        .isZero();
                assertThat(channel.receive())
                        .as("after the child has exited, receive() should return null: its stdout ended between frames")
                        .isNull();
                return null;
            });
        } finally {
            Children.killNewDescendants(childrenBefore);
        }

        // Half a frame, then nothing: EchoChild must treat it as an error, not as a clean end.
        try (ChildProcess echo = ChildJvm.main(EchoChild.class).start()) {
            OutputStream toEcho = echo.process().getOutputStream();
            toEcho.write(new byte[] {0, 0, 0, 100, 1, 2, 3});
            toEcho.close();
            int status = within(DEADLINE, "EchoChild did not exit after its stdin ended inside a frame",
                    () -> echo.waitFor(Duration.ofSeconds(15)));
            assertThat(status)
                    .as("EchoChild's stdin ended inside a frame (3 of 100 payload bytes): it should exit with status"
                            + " EchoChild.BAD_FRAME_EXIT, not 0 as for a clean end")
                    .isEqualTo(EchoChild.BAD_FRAME_EXIT);
        } finally {
            Children.killNewDescendants(childrenBefore);
        }
    }
}
