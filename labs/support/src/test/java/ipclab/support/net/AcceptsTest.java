package ipclab.support.net;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ipclab.support.Downcall;
import ipclab.support.Libc;
import ipclab.support.RunTag;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AcceptsTest {

    /** int prlimit(pid_t pid, int resource, const struct rlimit *new, struct rlimit *old) */
    private static final MethodHandle PRLIMIT = LIBC.function("prlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final int RLIMIT_NOFILE = 7;

    @Test
    @DisplayName("out of descriptors (EMFILE), the listener's watch rests and then accepts the waiting client: it is never given up")
    void emfilePausesAndResumes() throws Exception {
        String name = RunTag.uniqueName("accepts-test");
        int listener = Sockets.listenUnixAbstract(name, Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        int client = Sockets.connectUnixAbstract(name, Sockets.SOCK_STREAM); // waits in the accept queue
        int quiet = Sockets.listenUnixAbstract(RunTag.uniqueName("accepts-test"), Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        List<Integer> fillers = new ArrayList<>();
        CompletableFuture<Integer> paused = new CompletableFuture<>();
        CompletableFuture<Integer> accepted = new CompletableFuture<>();
        // Shared: the loop thread lowers and restores the limit, this thread restores it if the loop did not.
        Arena arena = Arena.ofShared();
        MemorySegment saved = arena.allocate(JAVA_LONG, 2);
        try (EventLoop loop = EventLoop.start("accepts-test")) {
            loop.execute(() -> {
                try {
                    // Classes are loaded from files, which takes a descriptor: load Accepts and the test's own first.
                    Watch idle = loop.watch(quiet, 0, (w, events) -> { });
                    assertThat(Accepts.next(idle, 0)).as("accept4 on a listener nobody connected to: EAGAIN").isEqualTo(-1);
                    idle.cancel();
                    // Every number below the limit in use: the next descriptor this process asks for is refused.
                    long limit = highestOpen() + 2;
                    setOpenFilesLimit(arena, limit, saved);
                    for (int fd = -1; fd < limit - 1; ) {
                        fd = Libc.dup(listener);
                        fillers.add(fd);
                    }
                    loop.watch(listener, EventLoop.READABLE, (w, events) -> {
                        int fd = Accepts.next(w, 0);
                        if (fd >= 0) {
                            accepted.complete(fd);
                            w.cancel();
                        } else if (!paused.isDone()) {
                            paused.complete(w.interest());
                            restore(saved, fillers);
                        }
                    });
                } catch (Throwable e) {
                    paused.completeExceptionally(e);
                }
            });
            assertThat(within(paused, "the handler never came back after accept4 failed with EMFILE: "
                    + "was its watch cancelled?")).as("the watch's interest once accept4 failed with EMFILE: paused").isZero();
            Libc.close(within(accepted, "the waiting client was never accepted once descriptors were free again"));
        } finally {
            restore(saved, fillers);
            arena.close();
            Libc.close(client);
            Libc.close(quiet);
            Libc.close(listener);
        }
    }

    private static <T> T within(CompletableFuture<T> future, String whenNot) throws Exception {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail(whenNot + " (nothing within 10 s)");
        }
    }

    private static synchronized void restore(MemorySegment saved, List<Integer> fillers) throws IOException {
        if (saved != null && saved.get(JAVA_LONG, 0) != 0) {
            Downcall.attempt("prlimit", state -> (int) PRLIMIT.invokeExact(state, 0, RLIMIT_NOFILE, saved, MemorySegment.NULL));
            saved.set(JAVA_LONG, 0, 0);
        }
        for (int fd : fillers) {
            Libc.close(fd);
        }
        fillers.clear();
    }

    private static void setOpenFilesLimit(Arena arena, long soft, MemorySegment saved) throws IOException {
        MemorySegment limit = arena.allocate(JAVA_LONG, 2);
        Downcall.attempt("prlimit", state -> (int) PRLIMIT.invokeExact(state, 0, RLIMIT_NOFILE, MemorySegment.NULL, saved));
        limit.set(JAVA_LONG, 0, soft);
        limit.setAtIndex(JAVA_LONG, 1, saved.getAtIndex(JAVA_LONG, 1));
        Downcall.Outcome set = Downcall.attempt("prlimit", state -> (int) PRLIMIT.invokeExact(state, 0, RLIMIT_NOFILE, limit, MemorySegment.NULL));
        if (set.failed()) {
            throw set.exception("RLIMIT_NOFILE");
        }
    }

    private static int highestOpen() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).max().orElseThrow();
        }
    }
}
