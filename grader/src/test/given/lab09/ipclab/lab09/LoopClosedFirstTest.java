package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import ipclab.grader.api.Graded;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.net.Sockets;
import java.io.FileDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What lab 09's given {@code Channel.send(body, handle)} does when its loop is closed before the
 * queued send ran: the duplicate it took of the handle is closed and the caller's future fails,
 * instead of a descriptor that stays open for the life of the process.
 */
class LoopClosedFirstTest {

    @Test
    @Graded(points = 1, handout = "The API you implement")
    @DisplayName("a handle queued for a loop that closes first: its duplicate is closed, and the send fails with ChannelClosedException")
    void queuedHandleGivenBack() throws Exception {
        int[] ends = Sockets.socketpair(Sockets.SOCK_STREAM);
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        int before = Descriptors.openCount();
        EventLoop idle = EventLoop.open(); // never run: the send stays queued until close(); its epoll and eventfd go with it
        try {
            Channel channel = Channel.wrap(idle, ends[0], () -> { }, ChannelOptions.defaults(), "a channel whose loop never runs");
            FileDescriptor handle = Descriptors.of(pipe[0]);
            CompletableFuture<Void> sent = channel.send(JsonNodeFactory.instance.objectNode().put("n", 1), handle);
            assertThat(Descriptors.openCount()).as("the loop's two descriptors, and the duplicate of the handle the channel holds until it is sent")
                    .isEqualTo(before + 3);

            idle.close();

            assertThat(Descriptors.openCount()).as("descriptors once the loop closed with the send still queued").isEqualTo(before);
            Assertions.assertThatThrownBy(() -> sent.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ChannelClosedException.class);
        } finally {
            idle.close();
            for (int fd : new int[] {ends[0], ends[1], pipe[0], pipe[1]}) {
                Libc.closeQuietly(fd, "the test");
            }
        }
    }
}
