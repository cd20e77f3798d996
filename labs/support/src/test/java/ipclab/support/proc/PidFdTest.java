package ipclab.support.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // a wait that never ends fails the test instead of hanging the build
class PidFdTest {

    private static final int WAIT_MILLIS = 10_000;

    @Test
    @DisplayName("a pidfd is close-on-exec and becomes readable when the child exits; reap gives its exit code")
    void exitCode() throws Exception {
        try (Child child = Child.spawn(Spawn.Request.of(List.of("sh", "-c", "exit 3")))) {
            int pidfd = PidFd.open(child.pid);
            try {
                assertThat(Libc.fcntl(pidfd, Libc.F_GETFD) & Libc.FD_CLOEXEC).isEqualTo(Libc.FD_CLOEXEC);
                assertThat(Libc.poll(pidfd, Libc.POLLIN, WAIT_MILLIS) & Libc.POLLIN).isEqualTo(Libc.POLLIN);
                assertThat(child.reap()).contains(WaitStatus.exited(3));
                assertThat(WaitStatus.exited(3).describe()).isEqualTo("exit code 3");
            } finally {
                Libc.close(pidfd);
            }
        }
    }

    @Test
    @DisplayName("a zombie stays readable, and a pidfd opened after the exit is readable at once; a reaped child is ECHILD")
    void zombieStaysReadable() throws Exception {
        int first = -1;
        int late = -1;
        try (Child child = Child.spawn(Spawn.Request.of(List.of("true")))) {
            first = PidFd.open(child.pid);
            assertThat(Libc.poll(first, Libc.POLLIN, WAIT_MILLIS) & Libc.POLLIN).isEqualTo(Libc.POLLIN);
            assertThat(Libc.poll(first, Libc.POLLIN, 0) & Libc.POLLIN).as("still, until reaped").isEqualTo(Libc.POLLIN);
            late = PidFd.open(child.pid);
            assertThat(Libc.poll(late, Libc.POLLIN, 0) & Libc.POLLIN).as("no race with an early exit").isEqualTo(Libc.POLLIN);
            assertThat(child.reap()).contains(WaitStatus.exited(0));
            assertThatThrownBy(() -> PidFd.reap(child.pid))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ECHILD)).isTrue())
                    .hasMessageContaining("not a child of this one, or it was reaped already");
        } finally {
            Fds.closeAll(first, late);
        }
    }

    @Test
    @DisplayName("a running child: not readable, reap is empty; killed: reap gives the signal and no code")
    void signal() throws Exception {
        int[] in = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        int pidfd = -1;
        try (Child child = Child.spawn(Child.catReading(in[0], devNull))) {
            pidfd = PidFd.open(child.pid);
            assertThat(Libc.poll(pidfd, Libc.POLLIN, 0)).isZero();
            assertThat(PidFd.reap(child.pid)).isEmpty();
            Libc.kill(child.pid, Libc.SIGKILL);
            assertThat(Libc.poll(pidfd, Libc.POLLIN, WAIT_MILLIS) & Libc.POLLIN).isEqualTo(Libc.POLLIN);
            Optional<WaitStatus> status = child.reap();
            assertThat(status).contains(WaitStatus.killedBy(Libc.SIGKILL));
            assertThat(status.orElseThrow().code()).isNull();
            assertThat(status.orElseThrow().describe()).isEqualTo("signal 9");
        } finally {
            Fds.closeAll(in[0], in[1], devNull, pidfd);
        }
    }

    @Test
    @DisplayName("an event loop watches a pidfd like a socket: its exit arrives as READABLE")
    void onTheEventLoop() throws Exception {
        int[] in = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        int pidfd = -1;
        try (EventLoop loop = EventLoop.start("pidfd-test");
             Child child = Child.spawn(Child.catReading(in[0], devNull))) {
            pidfd = PidFd.open(child.pid);
            CompletableFuture<Optional<WaitStatus>> exited = new CompletableFuture<>();
            int watched = pidfd;
            loop.submit(() -> loop.watch(watched, EventLoop.READABLE, (Watch watch, int events) -> {
                watch.cancel();
                exited.complete(child.reap());
            })).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            Libc.close(in[1]);
            in[1] = -1;
            assertThat(exited.get(WAIT_MILLIS, TimeUnit.MILLISECONDS)).as("cat read EOF and exited").contains(WaitStatus.exited(0));
        } finally {
            Fds.closeAll(in[0], in[1], devNull, pidfd);
        }
    }

    @Test
    @DisplayName("waitpid's status decodes as WIFEXITED, WEXITSTATUS and WTERMSIG do")
    void decoding() {
        assertThat(WaitStatus.decode(0x0300)).isEqualTo(WaitStatus.exited(3));
        assertThat(WaitStatus.decode(0xff00)).isEqualTo(WaitStatus.exited(255));
        assertThat(WaitStatus.decode(0x000f)).isEqualTo(WaitStatus.killedBy(Libc.SIGTERM));
        assertThat(WaitStatus.decode(0x0086)).as("SIGABRT, core dumped").isEqualTo(WaitStatus.killedBy(6));
        assertThatThrownBy(() -> WaitStatus.decode(0x137f)).hasMessageContaining("stopped or continued");
        assertThatThrownBy(() -> WaitStatus.decode(0xffff)).hasMessageContaining("stopped or continued");
        assertThatThrownBy(() -> new WaitStatus(1, 9)).hasMessageContaining("either");
    }
}
