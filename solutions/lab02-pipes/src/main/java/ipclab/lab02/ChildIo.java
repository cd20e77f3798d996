package ipclab.lab02;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Gives a child process its input and takes its output at the same time, so that neither side
 * can block the other for ever.
 *
 * <p>The deadlock this avoids: write a large input to a child (say {@code cat}) without reading
 * what it prints. The child reads some input and writes it out until its stdout pipe is full (64 KiB);
 * then it waits for us to read. We are still writing, and once its stdin pipe is full too, we wait
 * for it to read. Each waits for the other: nothing moves again.
 */
public final class ChildIo {

    /** Runs each feeder on a thread of its own; it spends its life blocked in write(2). */
    private static final Executor FEEDER_THREADS = task -> Thread.ofPlatform().daemon().name("child-stdin-feeder").start(task);

    private ChildIo() {
    }

    /** Feeds {@code input} to the process's stdin and returns everything it writes to stdout. */
    public static byte[] feedAndCollect(Process process, byte[] input) throws IOException {
        return feedAndCollect(process.getOutputStream(), process.getInputStream(), input);
    }

    /**
     * Writes {@code input} to {@code toChild} on another thread, then closes it (the child sees end
     * of file), while this thread reads {@code fromChild} to its end.
     *
     * <p>If the child stops reading before all input is written, the feeder's write fails
     * ({@code EPIPE}, "Broken pipe") and this method throws that, once the output is read.
     * If reading fails, the feeder may still be blocked: the caller must end the child (it does so
     * anyway when it cleans up), which unblocks it.
     *
     * @return every byte the child wrote, once it closed its end of {@code fromChild}
     */
    public static byte[] feedAndCollect(OutputStream toChild, InputStream fromChild, byte[] input) throws IOException {
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            try (toChild) { // closing is what tells the child "no more input"
                toChild.write(input);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, FEEDER_THREADS);
        byte[] output = fromChild.readAllBytes();
        try {
            feeding.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw new IOException("could not write all " + input.length + " bytes of input: the child closed"
                        + " its stdin before reading them (" + io.getCause().getMessage() + ")", io.getCause());
            }
            throw e;
        }
        return output;
    }
}
