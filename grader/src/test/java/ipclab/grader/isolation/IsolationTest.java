package ipclab.grader.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.runner.Entries;
import ipclab.testkit.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each run's student code runs as a user of its own, so that two runs on one machine never meet. */
class IsolationTest {

    @Test
    @DisplayName("the user of a run is an id no account, group or process has, and another run gets another one")
    void userOfItsOwn() throws IOException {
        Isolation.Account first = Isolation.userOfTheRun();
        Isolation.Account second = Isolation.userOfTheRun();
        assertThat(first.uid()).isBetween(Isolation.RUN_UID_BASE, Isolation.RUN_UID_BASE + Isolation.RUN_UID_SPAN - 1)
                .isEqualTo(first.gid()).isNotEqualTo(second.uid());
        assertThat(Files.readString(Path.of("/etc/passwd")) + Files.readString(Path.of("/etc/group")))
                .doesNotContain(":" + first.uid() + ":");
        assertThat(Processes.pids()).noneMatch(pid -> Entries.ownedBy(Path.of("/proc", Long.toString(pid)), first.uid()));
    }
}
