package ipclab.support.loop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The callbacks that threw, on any {@link EventLoop} of this process, most recent last. A loop
 * reports such a failure on standard error and goes on, as it must: one broken handler should not
 * stop every other. But a test waiting for what that handler should have done only sees the time
 * run out, so the test kit asks here what went wrong meanwhile, and a {@code TODO} thrown in a
 * callback reads as a {@code TODO} in the report.
 */
public final class CallbackFailures {

    /** A few are enough to explain a wait; the first is usually the cause of the rest. */
    private static final int KEPT = 8;

    private static final Deque<Failure> RECENT = new ArrayDeque<>();

    /** A callback that threw: on which loop, in which role, when ({@link System#nanoTime}), and what. */
    public record Failure(String loop, String callback, long nanoTime, Throwable thrown) {
        @Override
        public String toString() {
            return "on event loop " + loop + ", " + callback + " threw " + thrown;
        }
    }

    private CallbackFailures() {
    }

    /**
     * Records that {@code callback}, run on event loop {@code loop}, threw {@code thrown}. The loop
     * calls it for what reaches it; code that guards its own callbacks on a loop (a channel's
     * listeners, say) calls it for what it caught, so that a test waiting in vain can say so too.
     */
    public static void record(String loop, String callback, Throwable thrown) {
        synchronized (RECENT) {
            if (RECENT.size() == KEPT) {
                RECENT.removeFirst();
            }
            RECENT.addLast(new Failure(loop, callback, System.nanoTime(), thrown));
        }
    }

    /** The failures recorded at or after {@code nanoTime}, oldest first. */
    public static List<Failure> since(long nanoTime) {
        synchronized (RECENT) {
            return RECENT.stream().filter(f -> f.nanoTime() - nanoTime >= 0).toList();
        }
    }

    /**
     * A sentence to append to a message about a wait that began at {@code nanoTime}: empty when no
     * callback threw meanwhile, else what the first one threw (and how many more did).
     */
    public static String describeSince(long nanoTime) {
        List<Failure> failures = since(nanoTime);
        if (failures.isEmpty()) {
            return "";
        }
        String more = failures.size() > 1 ? " (and " + (failures.size() - 1) + " more callback failures after it)" : "";
        return "; meanwhile, " + failures.getFirst() + more;
    }
}
