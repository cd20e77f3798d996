package ipclab.support;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Work that may block in the kernel (an open, a read, a write to a full pipe), on a thread of its own. */
public final class Threads {

    private Threads() {
    }

    /**
     * Runs {@code work} on a platform thread of its own, named {@code threadName} (the kernel sees the
     * name too, in /proc/self/task/TID/comm), and completes the future with its result or its failure.
     * Not CompletableFuture.supplyAsync: its shared pool may have a single thread, and a writer blocked
     * on a full pipe would keep the reader that could empty it from ever running. Not a virtual
     * thread: one blocked in a native call pins its carrier.
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
}
