package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ExitStatusTest {

    @Test
    @Graded(points = 4, handout = "Step 1: How did the worker end?")
    @DisplayName("JDK exit values decode like Node's: 0 and 3 are exit codes, 137 is SIGKILL, 143 is SIGTERM")
    void decodesExitValues() {
        assertThat(ExitStatus.of(0)).as("exit value 0: the worker called exit(0)").isEqualTo(new ExitStatus(0, null));
        assertThat(ExitStatus.of(3)).as("exit value 3: exit(3), no signal").isEqualTo(new ExitStatus(3, null));
        assertThat(ExitStatus.of(128)).as("exit value 128: still an exit code (no signal 0)").isEqualTo(new ExitStatus(128, null));
        assertThat(ExitStatus.of(137)).as("exit value 137 = 128 + 9: the JDK's way of saying \"killed by SIGKILL\"; code must be null")
                .isEqualTo(new ExitStatus(null, "SIGKILL"));
        assertThat(ExitStatus.of(143)).as("exit value 143 = 128 + 15: killed by SIGTERM").isEqualTo(new ExitStatus(null, "SIGTERM"));
        assertThat(ExitStatus.of(137).toString()).as("Node's wording").isEqualTo("code: null, and SIGKILL");
    }
}
