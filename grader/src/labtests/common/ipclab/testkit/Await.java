package ipclab.testkit;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waiting with a deadline, for every lab's graded tests: work that may block for ever (an open, a
 * read, an accept) runs on a thread of its own, and the test waits for it until a deadline, then
 * fails with a sentence that says what usually hangs there.
 */
public final class Await {

    private Await() {
    }

    /**
     * Runs {@code work} on a platform thread of its own. Not CompletableFuture.supplyAsync: its shared
     * pool may have a single thread, and a writer blocked on a full pipe would keep the reader that
     * could empty it from ever running.
     */
    public static <T> CompletableFuture<T> onNewThread(String threadName, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * Waits for {@code target} to finish by the deadline. When it fails, its exception is thrown as
     * is (so a TODO reads as a TODO); when it takes too long, the test fails with {@code whenItHangs}.
     * When one of {@code companions} fails first, that failure is thrown at once: a writer waiting
     * for a reader that has died would otherwise just time out.
     */
    public static <T> T await(CompletableFuture<T> target, Duration deadline, String whenItHangs,
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
            return fail("still not finished after " + deadline.toSeconds() + " s: " + whenItHangs);
        }
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
