package ipclab.lab11;

/**
 * When to start an app again after it exited on its own, and when to give up. Pure: no clock, no
 * process, no file; the supervisor asks, keeps the {@link History} it is given back, and waits.
 *
 * <p>pm2's numbers ({@code lib/God.js} 471–530 and {@code constants.js} 76 of pm2 7.0.4), with its
 * exponential back-off switched on for every app (pm2 needs {@code --exp-backoff-restart-delay=100}):
 * <ul>
 * <li>a run shorter than {@code minUptime} is <em>unstable</em>; {@code maxRestarts} unstable exits in
 *     a row make the app errored, and the exit that reaches the limit is not restarted;</li>
 * <li>a run of at least {@code minUptime} starts the count again;</li>
 * <li>the delay starts at {@link #FIRST_DELAY_MS} and grows by half each restart, rounded down, up to
 *     {@link #MAX_DELAY_MS}: 100, 150, 225, 337, 505 … 12921, 15000;</li>
 * <li>a run of at least {@link #RESET_AFTER_MS} starts the delay again at {@link #FIRST_DELAY_MS}.</li>
 * </ul>
 *
 * @param maxRestarts how many unstable exits in a row are tolerated ({@code max_restarts}, 16)
 * @param minUptimeMs a run shorter than this is unstable ({@code min_uptime}, 1000 ms)
 */
public record RestartPolicy(int maxRestarts, long minUptimeMs) {

    /** The first delay (pm2: the value given to {@code --exp-backoff-restart-delay}). */
    public static final long FIRST_DELAY_MS = 100;
    /** The delay never grows beyond this ({@code lib/God.js} 526). */
    public static final long MAX_DELAY_MS = 15_000;
    /** Each delay is the previous one times this, rounded down. */
    public static final double GROWTH = 1.5;
    /** A run at least this long forgets the back-off ({@code EXP_BACKOFF_RESET_TIMER}, {@code constants.js} 76). */
    public static final long RESET_AFTER_MS = 30_000;

    public RestartPolicy {
        if (maxRestarts < 1 || minUptimeMs < 0) {
            throw new IllegalArgumentException("a restart policy needs maxRestarts ≥ 1 and minUptime ≥ 0, not "
                    + maxRestarts + " and " + minUptimeMs + " ms");
        }
    }

    /** The policy of one app. */
    public static RestartPolicy of(AppSpec spec) {
        return new RestartPolicy(spec.maxRestarts(), spec.minUptimeMs());
    }

    /**
     * The decision after an exit the app was not asked for.
     *
     * @param history  what was remembered after the previous exit ({@link History#NONE} the first time)
     * @param uptimeMs how long the run that just ended lasted
     * @param exit     how it ended, for the errored reason
     * @return {@link Decision.Restart} with its delay and the history to keep, or {@link Decision.Errored}
     *         with a reason naming the count, {@code minUptime} and the last exit
     */
    public Decision afterExit(History history, long uptimeMs, ExitInfo exit) {
        throw new UnsupportedOperationException("TODO: count the exit as unstable when the run was shorter than minUptimeMs (a longer run starts the count again), give up with Decision.Errored once the count reaches maxRestarts (the reason names the count, minUptimeMs and the exit), else Restart after FIRST_DELAY_MS, then the last delay times GROWTH rounded down, capped at MAX_DELAY_MS, back to FIRST_DELAY_MS after a run of RESET_AFTER_MS (handout, step 1)");
    }
}
