package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.support.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FdTargets reads /proc/PID/fd")
class FdTargetsTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("sees both ends of a pipe this process opened, as one pipe, and nothing of them once closed")
    void seesAPipe() throws Exception {
        Map<Integer, String> before = FdTargets.ofThisProcess();
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        try {
            Map<Integer, String> now = FdTargets.ofThisProcess();
            assertThat(now.get(pipe[0])).matches("pipe:\\[\\d+\\]");
            assertThat(now.get(pipe[1])).isEqualTo(now.get(pipe[0]));
            assertThat(FdTargets.target(pipe[1])).isEqualTo(now.get(pipe[0]));
            assertThat(FdTargets.openedSince(before)).containsKeys(pipe[0], pipe[1]);
            assertThat(FdTargets.openedSince(before, target -> !target.startsWith("pipe:"))).doesNotContainKeys(pipe[0], pipe[1]);
        } finally {
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
        assertThat(FdTargets.openedSince(before, target -> target.startsWith("pipe:"))).isEmpty();
    }

    @Test
    @DisplayName("the descriptor that lists /proc/self/fd is never among the entries")
    void listingIsNotAnEntry() {
        assertThat(FdTargets.ofThisProcess().values()).noneMatch(target -> target.matches("/proc/\\d+/fd"));
    }

    @Test
    @DisplayName("finds the descriptors open on a file, also after the file was removed, and none once they are closed")
    void referringToAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("held.txt"), "held");
        int fd = Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        try {
            assertThat(FdTargets.referringTo(file)).containsExactly(fd);
            assertThat(FdTargets.target(fd)).isEqualTo(file.toString());
            Files.delete(file);
            assertThat(FdTargets.target(fd)).isEqualTo(file + " (deleted)");
            assertThat(FdTargets.referringTo(file)).containsExactly(fd);
        } finally {
            Libc.close(fd);
        }
        assertThat(FdTargets.referringTo(file)).isEmpty();
    }

    @Test
    @DisplayName("reads another process's table, and an empty one once that process is gone")
    void anotherProcess() throws Exception {
        Path input = Files.writeString(dir.resolve("input.txt"), "");
        Process sleep = new ProcessBuilder("sleep", "30").redirectInput(input.toFile()).start();
        try {
            long pid = sleep.pid();
            assertThat(FdTargets.of(pid)).containsEntry(0, input.toRealPath().toString());
            assertThat(FdTargets.target(pid, 0)).isEqualTo(input.toRealPath().toString());
            assertThat(FdTargets.holds(pid, input.toRealPath().toString())).isTrue();
            assertThat(FdTargets.holds(pid, "socket:[1]")).isFalse();
        } finally {
            sleep.destroyForcibly();
            assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).isTrue();
            sleep.getInputStream().close();
            sleep.getErrorStream().close();
        }
        assertThat(FdTargets.of(sleep.pid())).isEmpty();
        assertThat(FdTargets.target(sleep.pid(), 0)).isNull();
    }
}
