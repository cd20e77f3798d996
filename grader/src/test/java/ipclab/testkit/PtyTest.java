package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Pty opens a pseudo-terminal a child can take as its controlling terminal")
class PtyTest {

    /** The exit status of a process killed by SIGHUP, as Process reports it. */
    private static final int KILLED_BY_SIGHUP = 128 + 1;

    @Test
    @DisplayName("a new session's leader that opens the secondary has it as controlling terminal, and gets SIGHUP when the primary closes")
    void controllingTerminal() throws Exception {
        Pty pty = Pty.open();
        Process leader = null;
        try {
            assertThat(pty.primary()).isNotNegative();
            assertThat(pty.secondary().toString()).startsWith("/dev/pts/");
            long rdev = (long) Files.getAttribute(pty.secondary(), "unix:rdev");
            // setsid(1) calls setsid(2) in place (a JDK child leads no group, so it need not fork); the
            // shell then opens the secondary without O_NOCTTY, which makes it the session's terminal.
            leader = new ProcessBuilder("setsid", "sh", "-c", "exec 3<>\"$0\" && exec sleep 600", pty.secondary().toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long pid = leader.pid();
            Await.until(Duration.ofSeconds(10), () -> {
                Processes.Stat stat = Processes.stat(pid);
                return stat != null && stat.ttyNr() != 0;
            }, "the child never took " + pty.secondary() + " as its controlling terminal");
            Processes.Stat stat = Processes.stat(pid);
            assertThat(stat.session()).as("it leads a session of its own").isEqualTo(pid);
            assertThat(stat.pgrp()).as("and a group of its own").isEqualTo(pid);
            assertThat((long) stat.ttyNr()).as("its terminal is the secondary (rdev %x)", rdev).isEqualTo(rdev);

            pty.close();
            assertThat(leader.waitFor(10, TimeUnit.SECONDS)).as("the hang-up ended the session's leader").isTrue();
            assertThat(leader.exitValue()).isEqualTo(KILLED_BY_SIGHUP);
        } finally {
            pty.close();
            if (leader != null) {
                leader.destroyForcibly().waitFor();
                leader.getOutputStream().close();
                leader.getInputStream().close();
                leader.getErrorStream().close();
            }
        }
    }

    @Test
    @DisplayName("closing twice closes the primary once")
    void closeTwice() throws Exception {
        Pty pty = Pty.open();
        Path fd = Path.of("/proc/self/fd", Integer.toString(pty.primary()));
        assertThat(Files.readSymbolicLink(fd).toString()).isIn("/dev/ptmx", "/dev/pts/ptmx");
        pty.close();
        pty.close(); // a second close(2) could close a descriptor another thread has just been given
        assertThat(Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.readSymbolicLink(fd).toString() : "closed")
                .isNotIn("/dev/ptmx", "/dev/pts/ptmx");
    }
}
