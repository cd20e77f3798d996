package ipclab.lab06;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTest {

    private static final String STEP = "Step 4: Reload on SIGHUP";
    private static final String NO_HANDLER = "if the child exited with status 129, no SIGHUP handler was installed and the"
            + " JVM's own one shut it down";

    @TempDir
    Path dir;

    @Test
    @Graded(points = 12, handout = STEP)
    @DisplayName("on SIGHUP the child re-reads its configuration file: same pid, new value, still running")
    void reloadsWithoutRestart() throws Exception {
        Path config = dir.resolve("app.properties");
        write(config, "greeting=hello\n");
        try (ChildProcess child = TestKit.start(ConfigReloader.class, config.toString())) {
            TestKit.Transcript out = new TestKit.Transcript(child);
            String ready = out.await(l -> l.startsWith("ready"), "\"ready PID greeting=hello\"", "the child did not start");
            assertThat(ready).as("the first configuration, read at start").isEqualTo("ready " + child.pid() + " greeting=hello");
            for (String greeting : new String[] {"bonjour", "hallo"}) {
                write(config, "# edited\ngreeting=" + greeting + "\ncolour=blue\n");
                Libc.kill(child.pid(), Libc.SIGHUP);
                String line = out.await(l -> l.startsWith("reload"), "\"reloaded …\"", NO_HANDLER);
                assertThat(line).as("after SIGHUP the child should report the file's new content")
                        .isEqualTo("reloaded colour=blue greeting=" + greeting);
                assertThat(child.process().isAlive()).as("a reload must not end the process").isTrue();
            }
        }
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("a configuration without a required key is refused on SIGHUP, and the old one stays in force")
    void refusesABadConfiguration() throws Exception {
        Path config = dir.resolve("app.properties");
        write(config, "greeting=hello\n");
        try (ChildProcess child = TestKit.start(ConfigReloader.class, config.toString())) {
            TestKit.Transcript out = new TestKit.Transcript(child);
            out.await(l -> l.startsWith("ready"), "the \"ready\" line", "the child did not start");
            write(config, "colour=blue\n");
            Libc.kill(child.pid(), Libc.SIGHUP);
            String refused = out.await(l -> l.startsWith("reload"), "\"reload failed: …\"", NO_HANDLER);
            assertThat(refused).as("a file without \"greeting\" should be refused, keeping the old configuration")
                    .startsWith("reload failed: ").endsWith("; keeping greeting=hello");
            write(config, "greeting=hi\n");
            Libc.kill(child.pid(), Libc.SIGHUP);
            assertThat(out.await(l -> l.startsWith("reload"), "\"reloaded greeting=hi\"", "a refused reload must not stop later ones"))
                    .isEqualTo("reloaded greeting=hi");
        }
    }

    /** Replaces the file in one step (rename), as editors and config tools do: a reader never sees half a file. */
    private static void write(Path file, String text) throws Exception {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
