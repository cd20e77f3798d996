package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Children finds and ends the processes a test started")
class ChildrenTest {

    @Test
    @DisplayName("a child started after the snapshot is new, described by its command line, and killed with what it started")
    void newChildIsFoundAndKilled() throws Exception {
        Set<Long> before = Children.liveDescendants();
        Process sh = new ProcessBuilder("sh", "-c", "sleep 31 & wait").start();
        try {
            Await.until(java.time.Duration.ofSeconds(10), () -> sh.descendants().findAny().isPresent(),
                    "the shell never started its sleep");
            ProcessHandle grandchild = sh.descendants().findFirst().orElseThrow();
            assertThat(Children.liveDescendants()).contains(sh.pid(), grandchild.pid());
            assertThat(Children.newDescendants(before))
                    .anyMatch(d -> d.startsWith(sh.pid() + " (") && d.endsWith("-c sleep 31 & wait)"))
                    .anyMatch(d -> d.startsWith(grandchild.pid() + " (") && d.contains("sleep 31"));
            Children.killNewDescendants(before);
            assertThat(sh.isAlive()).isFalse();
            // Where an earlier test made this JVM a subreaper, the killed orphan is re-parented to it
            // rather than to init: killNewDescendants reaps it then.
            Processes.Stat left = Processes.stat(grandchild.pid());
            assertThat(left == null || left.zombie() && left.parent() != ProcessHandle.current().pid())
                    .as("the child's own child goes with it, and is reaped when it is ours: %s", left).isTrue();
            assertThat(Children.newDescendants(before)).isEmpty();
        } finally {
            sh.destroyForcibly().waitFor();
            sh.getOutputStream().close();
            sh.getInputStream().close();
            sh.getErrorStream().close();
        }
    }
}
