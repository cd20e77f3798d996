package ipclab.lab06;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SignalEventsTest {

    private static final String STEP = "Step 3: Signals into the event loop";
    private static final int BURST = 500;

    @Test
    @Graded(points = 6, handout = STEP)
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a next() stuck in poll(2) cannot be interrupted
    @DisplayName("SignalEvents installs a handler (SigCgt), turns a signal into an event, and on close restores the default and closes its pipe")
    void installsRecordsAndRestores() throws Exception {
        long self = ProcessHandle.current().pid();
        Map<Integer, String> before = FdTargets.ofThisProcess();
        assertThat(TestKit.mask(self, "SigCgt")).as("precondition: nothing in this JVM handles SIGUSR1 yet").doesNotContain(10);
        SignalEvents events = SignalEvents.open(SignalName.USR1);
        try {
            assertThat(TestKit.mask(self, "SigCgt"))
                    .as("after open(USR1), /proc/self/status SigCgt should contain SIGUSR1 (10): install a handler with"
                            + " sun.misc.Signal.handle(new Signal(\"USR1\"), handler)")
                    .contains(10);
            Map<Integer, String> added = FdTargets.openedSince(before);
            assertThat(added.values()).as("open() should make exactly one pipe: two new descriptors, both pipe:[…] (it made %s)", added)
                    .hasSize(2).allMatch(target -> target.startsWith("pipe:["));
            assertThat(Libc.poll(events.readFd(), Libc.POLLIN, 0))
                    .as("before any signal, the self-pipe's read end must not be readable").isZero();
            Libc.kill(self, Libc.SIGUSR1); // safe: SigCgt shows a handler is installed
            assertThat(events.next(TestKit.DEADLINE))
                    .as("kill(getpid(), SIGUSR1) should come out of next() as USR1: the handler writes the signal's number"
                            + " as one byte into the pipe, next() polls the read end and reads it")
                    .contains(SignalName.USR1);
            assertThat(events.next(Duration.ofMillis(50))).as("one signal is one event: nothing more should be waiting").isEmpty();
        } finally {
            events.close();
        }
        assertThat(TestKit.mask(self, "SigCgt"))
                .as("close() should put the previous handler back (for SIGUSR1 that is SIG_DFL), so SigCgt no longer has 10")
                .doesNotContain(10);
        Map<Integer, String> left = FdTargets.openedSince(before);
        assertThat(left).as("close() should close both ends of the pipe").isEmpty();
    }

    @Test
    @Graded(points = 14, handout = STEP)
    @DisplayName("a child's event loop sees SIGHUP, SIGINT, SIGUSR1 and SIGTERM, each as one event, and exits 0 after SIGTERM")
    void childLoopSeesEachSignal() throws Exception {
        try (ChildProcess child = TestKit.start(SignalLoop.class, "HUP", "INT", "USR1", "TERM")) {
            TestKit.Transcript out = new TestKit.Transcript(child);
            out.awaitReady();
            for (int signal : new int[] {Libc.SIGHUP, Libc.SIGINT, Libc.SIGUSR1, Libc.SIGTERM}) {
                String symbol = SignalName.describe(signal).split(" ")[0];
                Libc.kill(child.pid(), signal);
                String line = out.await(l -> l.startsWith("event"), "\"event " + symbol + "\"",
                        "the loop should print one event line per signal (is the byte the handler writes the signal's number?)");
                assertThat(line).as("the event for %s", symbol).isEqualTo("event " + symbol);
            }
            out.await("bye"::equals, "\"bye\"", "after SIGTERM the loop ends and closes its events");
            assertThat(child.waitFor(TestKit.DEADLINE)).as("the loop's exit status after SIGTERM (%s)",
                    ExitStatusText.of(child)).isZero();
        }
    }

    @Test
    @Graded(points = 8, handout = STEP)
    @DisplayName("a burst of SIGUSR1 reaches the loop at least once and at most as often as it was sent (standard signals coalesce)")
    void burstsCoalesce() throws Exception {
        try (ChildProcess child = TestKit.start(SignalLoop.class, "USR1", "TERM")) {
            TestKit.Transcript out = new TestKit.Transcript(child);
            out.awaitReady();
            for (int i = 0; i < BURST; i++) {
                Libc.kill(child.pid(), Libc.SIGUSR1);
            }
            out.await("event SIGUSR1"::equals, "the first \"event SIGUSR1\"", "a burst of " + BURST + " SIGUSR1 never reached the loop");
            Libc.kill(child.pid(), Libc.SIGTERM);
            out.await("bye"::equals, "\"bye\"", "after SIGTERM the loop ends");
            assertThat(child.waitFor(TestKit.DEADLINE)).as("the loop's exit status").isZero();
            long seen = out.seen().stream().filter("event SIGUSR1"::equals).count();
            System.out.println("lab06: " + BURST + " SIGUSR1 sent, the loop saw " + seen + " (a pending standard signal is one bit, not a counter)");
            assertThat(seen).as("SIGUSR1 events seen for %d sent: never more than were sent (one signal, one byte)", BURST)
                    .isBetween(1L, (long) BURST);
        }
    }

    /** The child's exit status in words, for failure messages, without relying on your ExitStatus. */
    private static final class ExitStatusText {
        static String of(ChildProcess child) {
            Optional<Integer> value = child.process().isAlive() ? Optional.empty() : Optional.of(child.process().exitValue());
            return value.map(v -> v > 128 ? "killed by signal " + (v - 128) + ": the signal's default action ran, so no handler"
                    + " was installed for it" : "exit value " + v).orElse("still running");
        }
    }
}
