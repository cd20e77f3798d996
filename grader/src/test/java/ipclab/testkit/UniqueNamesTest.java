package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.support.RunTag;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UniqueNames: a test's names carry the run's tag")
class UniqueNamesTest {

    @Test
    @DisplayName("a name is the run's, the test's and the purpose's, and never the same twice")
    void names() {
        String name = UniqueNames.of("queue");
        assertThat(name).startsWith("ipclab-" + RunTag.current() + "-test-queue-").doesNotContain("/");
        assertThat(UniqueNames.of("queue")).isNotEqualTo(name);
        Path shm = UniqueNames.inDevShm("region");
        assertThat(shm.getParent()).isEqualTo(Path.of("/dev/shm"));
        assertThat(shm.getFileName().toString()).startsWith("ipclab-" + RunTag.current() + "-test-region-");
    }
}
