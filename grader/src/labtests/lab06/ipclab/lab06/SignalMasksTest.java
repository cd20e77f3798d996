package ipclab.lab06;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignalMasksTest {

    private static final String STEP = "Step 1: Read the kernel's signal masks";

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("SignalMasks.decode turns a /proc mask into signal numbers: bit N-1 stands for signal N")
    void decodesMasks() {
        assertThat(SignalMasks.decode("0000000000004a02"))
                .as("0x4a02 has bits 1, 9, 11 and 14 set, so it holds signals 2, 10, 12 and 15 (bit N-1 is signal N)")
                .containsExactly(2, 10, 12, 15);
        assertThat(SignalMasks.decode("0000000000000000")).as("an all-zero mask is the empty set").isEmpty();
        assertThat(SignalMasks.decode("8000000000000001"))
                .as("the mask is 64 bits wide: the top bit is signal 64 (parse it as unsigned: Long.parseUnsignedLong)")
                .containsExactly(1, 64);
        assertThat(SignalMasks.decode("0000000180000000")).as("bits 31 and 32 are signals 32 and 33").containsExactly(32, 33);
    }

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("SignalMasks.of reads another process's ignored and caught signals from /proc/PID/status")
    void readsAnotherProcess() throws Exception {
        // A shell that catches SIGUSR1, ignores SIGUSR2 and SIGHUP, then waits for its stdin to end.
        Process sh = new ProcessBuilder("sh", "-c", "trap 'echo usr1' USR1; trap '' USR2 HUP; echo ready; read line")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("the shell's first line").isEqualTo("ready");
            SignalMasks masks = SignalMasks.of(sh.pid());
            assertThat(masks.ignored())
                    .as("`trap '' USR2 HUP` makes the shell ignore SIGHUP (1) and SIGUSR2 (12): SigIgn of /proc/%d/status", sh.pid())
                    .contains(1, 12).isEqualTo(TestKit.mask(sh.pid(), "SigIgn"));
            assertThat(masks.caught())
                    .as("`trap 'echo usr1' USR1` installs a handler for SIGUSR1 (10): SigCgt of /proc/%d/status", sh.pid())
                    .contains(10).doesNotContain(1, 12).isEqualTo(TestKit.mask(sh.pid(), "SigCgt"));
            assertThat(masks.blocked()).as("SigBlk: the shell blocks nothing while it waits")
                    .isEqualTo(TestKit.mask(sh.pid(), "SigBlk"));
            assertThat(masks.pending()).as("ShdPnd: nothing is pending").isEqualTo(TestKit.mask(sh.pid(), "ShdPnd"));
        } finally {
            sh.getOutputStream().close(); // `read` sees end of file and the shell exits
            if (!sh.waitFor(10, TimeUnit.SECONDS)) {
                sh.destroyForcibly().waitFor();
            }
        }
        assertThat(List.of(sh.exitValue())).as("the shell's exit status").containsAnyOf(0, 1);
    }
}
