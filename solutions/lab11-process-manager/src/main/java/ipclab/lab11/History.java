package ipclab.lab11;

/**
 * What the restart policy remembers of one app (one instance, in cluster mode) between two exits.
 * pm2 keeps the same two numbers in the app's {@code pm2_env}: {@code unstable_restarts} and
 * {@code prev_restart_delay} ({@code lib/God.js} of pm2 7.0.4, lines 477 and 521–527).
 *
 * @param unstable    how many exits in a row came after a run shorter than {@code minUptime}
 * @param lastDelayMs the delay before the last restart, 0 before the first one
 */
public record History(int unstable, long lastDelayMs) {

    /** An app that has not exited yet, or was restarted by hand: nothing to remember. */
    public static final History NONE = new History(0, 0);

    public History {
        if (unstable < 0 || lastDelayMs < 0) {
            throw new IllegalArgumentException("a history counts up from 0: unstable " + unstable + ", last delay " + lastDelayMs + " ms");
        }
    }
}
