package ipclab.lab06;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExitStatusTest {

    private static final String STEP = "Step 2: Decode exit statuses";

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("a child JVM killed with SIGKILL is reported as \"killed by SIGKILL (9)\", one that exits 3 as \"exited with status 3\"")
    void decodesTheJdksExitValue() throws Exception {
        int killedValue;
        try (ChildProcess child = TestKit.start(TestChild.class, "wait")) {
            new TestKit.Transcript(child).awaitReady();
            Libc.kill(child.pid(), Libc.SIGKILL);
            killedValue = child.waitFor(TestKit.DEADLINE);
        }
        assertThat(killedValue).as("the JDK reports death by signal N as 128 + N").isEqualTo(128 + 9);
        ExitStatus killed = ExitStatus.fromExitValue(killedValue);
        assertThat(killed.killed()).as("exit value %d means a signal killed the process", killedValue).isTrue();
        assertThat(killed.signal()).as("exit value %d is 128 + the signal's number", killedValue).isEqualTo(9);
        assertThat(killed.describe()).isEqualTo("killed by SIGKILL (9)");

        int exitedValue;
        try (ChildProcess child = ChildJvm.main(TestChild.class).args("exit", "3").start()) {
            exitedValue = child.waitFor(TestKit.DEADLINE);
        }
        ExitStatus exited = ExitStatus.fromExitValue(exitedValue);
        assertThat(exited.killed()).as("a child that called exit(3) was not killed").isFalse();
        assertThat(exited.code()).isEqualTo(3);
        assertThat(exited.describe()).isEqualTo("exited with status 3");
        assertThat(ExitStatus.fromExitValue(0).describe()).isEqualTo("exited with status 0");
        assertThat(ExitStatus.fromExitValue(128).describe())
                .as("128 is exit(128): there is no signal 0 to die of").isEqualTo("exited with status 128");
    }

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("a shell encodes a signal death as 128 + N in $? too, and the same decoder reads it")
    void decodesTheShellsStatus() throws Exception {
        Process selfTerminated = new ProcessBuilder("sh", "-c", "kill -TERM $$").start();
        Process reporter = new ProcessBuilder("sh", "-c", "sh -c 'kill -9 $$'; echo $?").start();
        try {
            assertThat(selfTerminated.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ExitStatus.fromExitValue(selfTerminated.exitValue()).describe())
                    .as("`sh -c 'kill -TERM $$'` kills itself with SIGTERM; Process.exitValue() is %d", selfTerminated.exitValue())
                    .isEqualTo("killed by SIGTERM (15)");
            String dollarQuestion = new String(reporter.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(reporter.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(dollarQuestion).as("the shell's $? for a child killed by SIGKILL").isEqualTo("137");
            assertThat(ExitStatus.fromExitValue(Integer.parseInt(dollarQuestion)).describe())
                    .as("$? = %s from a shell decodes exactly like the JDK's exit value", dollarQuestion)
                    .isEqualTo("killed by SIGKILL (9)");
            assertThat(ExitStatus.fromExitValue(143).describe()).isEqualTo("killed by SIGTERM (15)");
            assertThat(ExitStatus.fromExitValue(129).describe()).isEqualTo("killed by SIGHUP (1)");
            assertThat(ExitStatus.fromExitValue(128 + 34).describe())
                    .as("a signal without a name in SignalName (a real-time one) is still decoded: \"signal 34\"")
                    .isEqualTo("killed by signal 34");
        } finally {
            for (Process p : new Process[] {selfTerminated, reporter}) {
                p.destroyForcibly().waitFor();
                p.getInputStream().close();
                p.getOutputStream().close();
                p.getErrorStream().close();
            }
        }
    }
}
