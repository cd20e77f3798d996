package ipclab.testkit;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.Threads;
import ipclab.support.loop.CallbackFailures;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waiting with a deadline. The code under test may block for ever (an open, a read, an accept),
 * and a test that hangs costs the whole lab its time budget: so blocking work runs on a thread of
 * its own, and the test waits for it until a deadline, then fails with a sentence that says what
 * usually hangs there. Where the kernel has no event to wait for (a thread that is asleep, a
 * descriptor that moved), the test polls instead, also until a deadline.
 */
public final class Await {

    /** How often {@link #polling} looks again: often enough to be prompt, rarely enough to cost nothing. */
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Runs {@code work} on a platform thread of its own, named {@code threadName}: see {@link Threads#onNewThread}. */
    public static <T> CompletableFuture<T> onNewThread(String threadName, Callable<T> work) {
        return Threads.onNewThread(threadName, work);
    }

    /** {@link #onNewThread(String, Callable)} for work whose thread nobody looks for by name. */
    public static <T> CompletableFuture<T> onNewThread(Callable<T> work) {
        return onNewThread("graded-test-worker", work);
    }

    /** Runs {@code work} on a thread of its own and waits for it: {@link #await} says what happens then. */
    public static <T> T within(Duration deadline, String whenItHangs, Callable<T> work) throws Exception {
        return await(onNewThread(work), deadline, whenItHangs);
    }

    /**
     * Waits for {@code target} to finish by the deadline. When it fails, its exception is thrown as
     * is (so a TODO reads as a TODO); when it takes too long, the test fails with {@code whenItHangs}.
     * When one of {@code companions} fails first, that failure is thrown at once: a writer waiting
     * for a reader that has died would otherwise just time out.
     */
    public static <T> T await(CompletableFuture<T> target, Duration deadline, String whenItHangs,
                              CompletableFuture<?>... companions) throws Exception {
        return awaitSince(System.nanoTime(), target, deadline, whenItHangs, companions);
    }

    /**
     * As {@link #await}, and when it takes too long, the message names what loop callbacks threw
     * since {@code since} ({@link System#nanoTime}), not since this wait began: a test's start, say,
     * when what went wrong on the loop happened before the test began to wait.
     */
    public static <T> T awaitSince(long since, CompletableFuture<T> target, Duration deadline, String whenItHangs,
                                   CompletableFuture<?>... companions) throws Exception {
        CompletableFuture<Object> companionFailed = new CompletableFuture<>();
        for (CompletableFuture<?> c : companions) {
            c.whenComplete((value, failure) -> {
                if (failure != null) {
                    companionFailed.completeExceptionally(failure);
                }
            });
        }
        try {
            CompletableFuture.anyOf(target, companionFailed).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return target.get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            return fail(hangs(deadline, whenItHangs, since));
        }
    }

    /**
     * The exception {@code future} fails with, for a test that expects a failure: a success fails
     * the test, and so does a future still pending at the deadline, with {@code whenItHangs}.
     */
    public static Throwable failureOf(CompletableFuture<?> future, Duration deadline, String whenItHangs) throws InterruptedException {
        return failureOfSince(System.nanoTime(), future, deadline, whenItHangs);
    }

    /** As {@link #failureOf}, naming what loop callbacks threw since {@code since}, as {@link #awaitSince} does. */
    public static Throwable failureOfSince(long since, CompletableFuture<?> future, Duration deadline, String whenItHangs)
            throws InterruptedException {
        try {
            Object value = future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return fail("expected a failure but it completed with " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail(hangs(deadline, whenItHangs, since));
        }
    }

    /**
     * Asks {@code probe} every few milliseconds until it answers (anything but {@code null}), and
     * returns that answer; fails with {@code otherwise} when it has not answered by the deadline.
     * What the probe throws is thrown as is.
     */
    public static <T> T polling(Duration deadline, Callable<T> probe, String otherwise) throws Exception {
        long began = System.nanoTime();
        long end = began + deadline.toNanos();
        while (true) {
            T answer = probe.call();
            if (answer != null) {
                return answer;
            }
            if (System.nanoTime() - end > 0) {
                return fail(otherwise + CallbackFailures.describeSince(began));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Waits until {@code condition} holds, looking every few milliseconds, or fails with {@code otherwise} at the deadline. */
    public static void until(Duration deadline, BooleanSupplier condition, String otherwise) throws Exception {
        polling(deadline, () -> condition.getAsBoolean() ? Boolean.TRUE : null, otherwise);
    }

    /** The sentence for a wait that began at {@code began} and ran out, with what callbacks on a loop threw meanwhile. */
    private static String hangs(Duration deadline, String whenItHangs, long began) {
        return "still not finished after " + deadline.toSeconds() + " s: " + whenItHangs + CallbackFailures.describeSince(began);
    }

    private static Exception unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof Error error) {
            throw error; // an AssertionError from a check made on that thread
        }
        return (Exception) t;
    }
}
