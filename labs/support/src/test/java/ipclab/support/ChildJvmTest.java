package ipclab.support;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.support.testing.Echo;
import ipclab.support.testing.NodeVariables;
import ipclab.support.testing.Sleeper;
import ipclab.support.testing.Spawner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    @DisplayName("run captures stdout, stderr and the exit code of a child JVM")
    void runCapturesOutput() throws Exception {
        ChildJvm.Result result = ChildJvm.main(Echo.class).args("7", "hello").run(DEADLINE);
        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.stdout()).isEqualTo("7 hello\n");
        assertThat(result.stderr()).contains("to stderr");
    }

    @Test
    @DisplayName("the child runs with the shared JVM flags")
    void childHasTheFlags() {
        assertThat(ChildJvm.main(Echo.class).command()).containsAll(BuildFacts.jvmFlags())
                .contains("--enable-native-access=ALL-UNNAMED", "-Dchronicle.analytics.disable=true");
    }

    @Test
    @DisplayName("closing a child kills it and everything it started")
    void closeKillsTheTree() throws Exception {
        ProcessHandle grandchild;
        try (ChildProcess child = ChildJvm.main(Spawner.class).start()) {
            String line = new BufferedReader(new InputStreamReader(child.process().getInputStream())).readLine();
            grandchild = ProcessHandle.of(Long.parseLong(line.substring("grandchild ".length()))).orElseThrow();
            assertThat(grandchild.isAlive()).isTrue();
        }
        assertThat(grandchild.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    }

    @Test
    @DisplayName("a child whose parent dies exits instead of living on as an orphan")
    void orphanExits() throws Exception {
        ProcessHandle grandchild;
        try (ChildProcess child = ChildJvm.main(Spawner.class).start()) {
            String line = new BufferedReader(new InputStreamReader(child.process().getInputStream())).readLine();
            grandchild = ProcessHandle.of(Long.parseLong(line.substring("grandchild ".length()))).orElseThrow();
            Libc.kill(child.pid(), Libc.SIGKILL); // no shutdown hook can run: only the grandchild's watch helps
            child.waitFor(DEADLINE);
            assertThat(grandchild.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        }
    }

    @Test
    @DisplayName("a Node parent's NODE_CHANNEL_FD goes no further: a child started with ChildJvm does not see it")
    void nodeChannelVariablesStopHere() throws Exception {
        ChildJvm.Result result = ChildJvm.main(NodeVariables.class).args("pass-on")
                .env("NODE_CHANNEL_FD", "99").env("NODE_CHANNEL_SERIALIZATION_MODE", "json").run(DEADLINE);
        assertThat(result.stdout()).as("stderr: %s", result.stderr())
                .contains("pass-on sees 99 json").contains("grandchild sees null null");
    }

    @Test
    @DisplayName("a child that finishes by itself reports its exit code")
    void waitForReturnsExitCode() throws Exception {
        try (ChildProcess child = ChildJvm.main(Sleeper.class).start()) {
            child.process().getOutputStream().close(); // EOF on its stdin: it returns from main
            assertThat(child.waitFor(DEADLINE)).isZero();
        }
    }
}
