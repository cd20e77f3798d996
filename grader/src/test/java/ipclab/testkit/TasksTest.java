package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.support.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tasks reads /proc/self/task")
class TasksTest {

    @Test
    @DisplayName("currentTid is the calling thread's own task, another on another thread")
    void currentTid() throws Exception {
        String mine = Tasks.currentTid();
        assertThat(Path.of("/proc/self/task", mine)).isDirectory();
        String other = Await.within(Duration.ofSeconds(10), "the other thread did not run", Tasks::currentTid);
        assertThat(other).isNotEqualTo(mine);
    }

    @Test
    @DisplayName("a thread blocked in read(2) of an empty pipe is found by name, asleep (S) in a pipe's wait, in read on that descriptor")
    void blockedReader() throws Exception {
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        try {
            CompletableFuture<Integer> reading = Await.onNewThread("kit-blocked-reader-thread", () -> Libc.read(pipe[0], new byte[1], 0, 1));
            String tid = Await.polling(Duration.ofSeconds(10), () -> Tasks.named("kit-blocked-reader-thread"),
                    "no thread named kit-blocked-reader-thread (the kernel keeps 15 characters of a name)");
            Await.until(Duration.ofSeconds(10), () -> Tasks.state(tid) == 'S' && Tasks.wchan(tid).contains("pipe"),
                    "the reader never slept in a pipe's wait");
            String[] call = Tasks.syscall(tid).split(" ");
            assertThat(Long.decode(call[1])).as("read(2)'s first argument, the descriptor").isEqualTo(pipe[0]);
            assertThat(Files.readString(Path.of("/proc/self/task", tid, "comm")).strip()).isEqualTo("kit-blocked-rea");
            Libc.write(pipe[1], new byte[] {7}, 0, 1);
            assertThat(Await.await(reading, Duration.ofSeconds(10), "the reader did not wake")).isEqualTo(1);
            Await.until(Duration.ofSeconds(10), () -> Tasks.state(tid) == '?', "the thread's task did not go away");
            assertThat(Tasks.wchan(tid)).isEqualTo("(thread gone)");
        } finally {
            Libc.close(pipe[1]);
            Libc.close(pipe[0]);
        }
        assertThat(Tasks.named("kit-blocked-reader-thread")).isNull();
    }
}
