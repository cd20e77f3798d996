package ipclab.lab01;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Errno;
import ipclab.support.Libc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Given code: a child process to look at. It opens files at the descriptor numbers it is told,
 * says {@value #READY} on its stderr, and then holds everything open until its stdin reaches end of
 * file, so a parent can inspect {@code /proc/CHILD/fd} while it lives and end it by closing a pipe.
 *
 * <pre>{@code
 * try (ChildProcess holder = FdHolder.start(Redirect.INHERIT, Map.of(300, file), Duration.ofSeconds(20))) {
 *     FdTable table = FdTable.of(holder.pid());          // fd 300 is the file, fd 1 our own stdout
 *     FdHolder.release(holder, Duration.ofSeconds(10));  // close its stdin; it exits 0
 * }
 * }</pre>
 *
 * Its stderr, not its stdout, carries the ready line, so that its stdout can be inherited from the
 * parent: that is how a child comes to share the parent's open file description for fd 1.
 */
public final class FdHolder {

    /** The line the holder writes on stderr once every file is open. */
    public static final String READY = "ready";

    private FdHolder() {
    }

    /**
     * Arguments {@code N=PATH}: open PATH read-only as descriptor N. N must be free in this JVM, so
     * pick numbers well above the few dozen a JVM uses (say 300 and up).
     */
    public static void main(String[] args) throws IOException {
        for (String spec : args) {
            int equals = spec.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("expected N=PATH, got '" + spec + "'");
            }
            openAt(Integer.parseInt(spec.substring(0, equals)), Path.of(spec.substring(equals + 1)));
        }
        System.err.println(READY);
        System.err.flush();
        // Hold everything open until the parent closes our stdin: read(2) then returns 0, end of file.
        while (System.in.read() != -1) {
            // Nothing is expected on stdin; whatever comes is ignored.
        }
    }

    private static void openAt(int number, Path file) throws IOException {
        requireFree(number);
        int fd = Libc.open(file, Libc.O_RDONLY, 0);
        if (fd != number) {
            Libc.dup2(fd, number); // number -> the same open file description as fd
            Libc.close(fd);
        }
    }

    /** dup2 would silently close whatever the JVM keeps at that number, a jar file for instance. */
    private static void requireFree(int number) throws ErrnoException {
        try {
            Libc.fcntl(number, Libc.F_GETFD);
        } catch (ErrnoException e) {
            if (e.is(Errno.EBADF)) {
                return;
            }
            throw e;
        }
        throw new IllegalStateException("descriptor " + number + " is already open in the holder; choose a higher number");
    }

    /**
     * Starts a holder for {@code files} (descriptor number → file) and waits until it has opened
     * them all.
     *
     * @param stdout {@link Redirect#INHERIT} to share this process's stdout with it, {@link Redirect#PIPE} otherwise
     * @throws TimeoutException when it is not ready by {@code deadline} (it is killed then)
     * @throws IOException      when it exits before it is ready
     */
    public static ChildProcess start(Redirect stdout, Map<Integer, Path> files, Duration deadline)
            throws IOException, TimeoutException {
        List<String> args = new ArrayList<>();
        files.forEach((fd, file) -> args.add(fd + "=" + file));
        ChildProcess holder = ChildJvm.main(FdHolder.class).args(args)
                .redirectOutput(stdout)
                .redirectError(Redirect.PIPE)
                .start();
        try {
            awaitReady(holder, deadline);
            return holder;
        } catch (IOException | TimeoutException | RuntimeException e) {
            holder.close();
            throw e;
        }
    }

    /**
     * Ends a holder the gentle way: closes its stdin, so it sees end of file and exits by itself.
     *
     * @return its exit code, 0 when all went well
     * @throws TimeoutException when it is still running after {@code deadline}
     */
    public static int release(ChildProcess holder, Duration deadline) throws IOException, TimeoutException {
        holder.process().getOutputStream().close();
        try {
            return holder.waitFor(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + holder + " to exit", e);
        }
    }

    private static void awaitReady(ChildProcess holder, Duration deadline) throws IOException, TimeoutException {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        InputStream stderr = holder.process().getErrorStream();
        // Read its stderr on a thread of its own: a blocking read has no deadline, a future does.
        // The thread passes every other line on to our stderr and ends at end of file.
        Thread.ofPlatform().daemon().name("fd-holder-" + holder.pid()).start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (!ready.isDone() && line.equals(READY)) {
                        ready.complete(null);
                    } else {
                        System.err.println("[holder " + holder.pid() + "] " + line);
                    }
                }
                ready.completeExceptionally(new IOException(holder + " exited before it was ready; its errors are above"));
            } catch (IOException e) {
                ready.completeExceptionally(new UncheckedIOException(e));
            }
        });
        try {
            ready.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(holder + " did not say '" + READY + "' within " + deadline);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + holder, e);
        }
    }
}
