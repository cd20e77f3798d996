package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Processes reads /proc/PID")
class ProcessesTest {

    @Test
    @DisplayName("a child's state, parent and command line; it is among this JVM's children and the machine's pids, and gone after")
    void aChild() throws Exception {
        long self = ProcessHandle.current().pid();
        Process sleep = new ProcessBuilder("sleep", "30").start();
        long pid = sleep.pid();
        try {
            Await.until(Duration.ofSeconds(10), () -> Processes.commandLine(pid).equals(List.of("sleep", "30")),
                    "the child never showed the command line sleep 30");
            Processes.Stat stat = Processes.stat(pid);
            assertThat(stat).isNotNull();
            assertThat(stat.parent()).isEqualTo(self);
            assertThat(stat.zombie()).isFalse();
            Processes.Stat mine = Processes.stat(self);
            assertThat(mine).isNotNull();
            assertThat(stat.pgrp()).as("a child the JDK starts stays in its parent's group and session").isEqualTo(mine.pgrp());
            assertThat(stat.session()).isEqualTo(mine.session());
            assertThat(stat.ttyNr()).isEqualTo(mine.ttyNr());
            assertThat(Processes.children(self)).contains(pid);
            assertThat(Processes.pids()).contains(self, pid);
            assertThat(Processes.commandLine(pid)).containsExactly("sleep", "30");
        } finally {
            end(sleep);
        }
        assertThat(Processes.stat(pid)).isNull();
        assertThat(Processes.commandLine(pid)).isEmpty();
        assertThat(Processes.children(self)).doesNotContain(pid);
    }

    @Test
    @DisplayName("a process's name may hold spaces and parentheses: the state is read after the last ')'")
    void oddName(@TempDir Path dir) throws Exception {
        Path odd = Files.createSymbolicLink(dir.resolve("a) b (c"), Path.of("/bin/sleep"));
        Process sleep = new ProcessBuilder(odd.toString(), "30").start();
        try {
            Path stat = Path.of("/proc", Long.toString(sleep.pid()), "stat");
            Await.until(Duration.ofSeconds(10), () -> read(stat).contains("(a) b (c)"), "the child never showed the name (a) b (c)");
            Processes.Stat parsed = Processes.stat(sleep.pid());
            assertThat(parsed).isNotNull();
            assertThat(parsed.parent()).isEqualTo(ProcessHandle.current().pid());
            assertThat(parsed.state()).isIn('S', 'R', 'D'); // D: still loading the program, on a busy machine
        } finally {
            end(sleep);
        }
    }

    /** Kills and reaps {@code p}, and closes the JDK's pipes to it. */
    private static void end(Process p) throws Exception {
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @DisplayName("Z and X are zombies, holding nothing")
    void zombies() {
        assertThat(new Processes.Stat('Z', 1, 1, 1, 0).zombie()).isTrue();
        assertThat(new Processes.Stat('X', 1, 1, 1, 0).zombie()).isTrue();
        assertThat(new Processes.Stat('S', 1, 1, 1, 0).zombie()).isFalse();
    }
}
