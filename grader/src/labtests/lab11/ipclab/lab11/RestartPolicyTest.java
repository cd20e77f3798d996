package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link RestartPolicy} alone: no process, no clock. Each exit is fed with the history the previous
 * decision handed back, as the supervisor does; the numbers are pm2's ({@code lib/God.js} 471–530).
 */
class RestartPolicyTest {

    private static final String STEP = "Step 1: When to restart";
    private static final ExitInfo CODE_3 = ExitInfo.exited(3);

    /** The decision after one exit, which must be a restart. */
    private static Decision.Restart restart(RestartPolicy policy, History history, long uptimeMs, String why) {
        Decision decision = policy.afterExit(history, uptimeMs, CODE_3);
        assertThat(decision).as(why).isInstanceOf(Decision.Restart.class);
        return (Decision.Restart) decision;
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("the delay starts at 100 ms and grows by half, rounded down, up to 15 s: 100, 150, 225, 337 … 12921, 15000, 15000")
    void backoffGrowsAndCaps() {
        RestartPolicy policy = new RestartPolicy(100, 1000);
        History history = History.NONE;
        List<Long> delays = new ArrayList<>();
        for (int exit = 1; exit <= 15; exit++) {
            Decision.Restart r = restart(policy, history, 10, "exit " + exit + " of a crash loop with maxRestarts 100");
            assertThat(r.next().lastDelayMs()).as("the history handed back remembers the delay just chosen").isEqualTo(r.delayMs());
            delays.add(r.delayMs());
            history = r.next();
        }
        assertThat(delays).as("15 restarts in a row, each run 10 ms long: floor(min(15000, previous × 1.5)) from 100")
                .containsExactly(100L, 150L, 225L, 337L, 505L, 757L, 1135L, 1702L, 2553L, 3829L, 5743L, 8614L, 12921L, 15000L, 15000L);
        assertThat(history.unstable()).as("15 runs shorter than minUptime (1000 ms): 15 unstable exits in a row").isEqualTo(15);
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("maxRestarts 3: restart, restart, then errored, with a reason naming the count, minUptime and the last exit")
    void erroredAtMaxUnstable() {
        RestartPolicy policy = new RestartPolicy(3, 1000);
        Decision.Restart first = restart(policy, History.NONE, 5, "the 1st unstable exit of 3 allowed");
        assertThat(first.next().unstable()).as("one unstable exit counted").isEqualTo(1);
        Decision.Restart second = restart(policy, first.next(), 999, "the 2nd unstable exit (999 ms < minUptime 1000 ms)");
        assertThat(second.next().unstable()).isEqualTo(2);

        Decision third = policy.afterExit(second.next(), 20, ExitInfo.killedBy("SIGSEGV"));
        assertThat(third).as("the 3rd unstable exit in a row reaches maxRestarts 3: no more restarts (pm2: 'too many unstable restarts')")
                .isInstanceOf(Decision.Errored.class);
        String reason = ((Decision.Errored) third).reason();
        assertThat(reason).as("the reason pm list shows: how many exits").contains("3")
                .as("… how short each run was (minUptime)").contains("1000 ms")
                .as("… and how the last run ended (ExitInfo's words)").contains("killed by SIGSEGV");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a run of at least minUptime starts the unstable count again; one of at least 30 s, the delay")
    void stableRunResets() {
        RestartPolicy policy = new RestartPolicy(3, 1000);
        History history = restart(policy, History.NONE, 10, "unstable exit 1").next();
        history = restart(policy, history, 10, "unstable exit 2").next();
        Decision.Restart stable = restart(policy, history, 1000, "a run of exactly minUptime (1000 ms) is stable");
        assertThat(stable.next().unstable()).as("a stable run starts the count again").isZero();
        assertThat(stable.delayMs()).as("a run shorter than 30 s keeps the back-off growing: 100, 150, then 225").isEqualTo(225);

        history = restart(policy, stable.next(), 10, "unstable exit 1 after the stable run").next();
        history = restart(policy, history, 10, "unstable exit 2 after the stable run: the count was reset, so still a restart").next();
        assertThat(history.lastDelayMs()).isEqualTo(505);

        Decision.Restart almost = restart(policy, history, 29_999, "a run of 29.999 s is stable");
        assertThat(almost.delayMs()).as("29.999 s is not yet 30 s: the delay still grows from 505").isEqualTo(757);
        Decision.Restart longRun = restart(policy, almost.next(), 30_000, "a run of 30 s");
        assertThat(longRun.delayMs()).as("a run of at least 30 s forgets the back-off (pm2's EXP_BACKOFF_RESET_TIMER)").isEqualTo(100);
        assertThat(longRun.next()).isEqualTo(new History(0, 100));
    }
}
