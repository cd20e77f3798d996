package ipclab.support;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.invoke.WrongMethodTypeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class DowncallTest {

    private static final MethodHandle DUP = LIBC.function("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = LIBC.function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETTID = LIBC.functionWithoutErrno("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TGKILL = LIBC.function("tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    /** Where a handle that captures errno puts it: the tests write it there to play a C function. */
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout().varHandle(PathElement.groupElement("errno"));

    private static final Signal USR1 = new Signal("USR1");
    private static SignalHandler previousUsr1;

    @BeforeAll
    static void catchSigusr1() {
        // A handler, so that SIGUSR1 interrupts a system call instead of killing the JVM.
        previousUsr1 = Signal.handle(USR1, signal -> { });
    }

    @AfterAll
    static void restoreSigusr1() {
        Signal.handle(USR1, previousUsr1);
    }

    @Test
    @DisplayName("a failed call's errno is captured and named: dup(-1) fails with EBADF")
    void errnoIsCapturedAndNamed() {
        assertThatThrownBy(() -> Downcall.retryingEintr("dup", "fd -1", state -> (int) DUP.invokeExact(state, -1)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EBADF);
                    assertThat(e.call()).isEqualTo("dup");
                })
                .hasMessageStartingWith("dup(fd -1) failed: EBADF (Bad file descriptor): that descriptor number is not open");
    }

    @Test
    @DisplayName("attempt gives the result and errno to the caller instead of throwing")
    void attemptReportsWithoutThrowing() throws Exception {
        Downcall.Outcome failed = Downcall.attempt("dup", state -> (int) DUP.invokeExact(state, -1));
        assertThat(failed.failed()).isTrue();
        assertThat(failed.result()).isEqualTo(-1);
        assertThat(failed.errno()).isEqualTo(Errno.EBADF);
        assertThat(failed.is(Errno.EBADF)).isTrue();
        assertThat(failed.exception("fd -1")).hasMessageStartingWith("dup(fd -1) failed: EBADF");

        Downcall.Outcome copied = Downcall.attempt("dup", state -> (int) DUP.invokeExact(state, 0));
        try {
            assertThat(copied.failed()).isFalse();
            assertThat(copied.result()).isGreaterThan(2);
            assertThat(copied.code()).isZero();
            assertThat(copied.errno()).isNull();
            assertThat(copied.is(Errno.EBADF)).isFalse();
            assertThatThrownBy(() -> copied.exception("fd 0")).isInstanceOf(IllegalStateException.class);
        } finally {
            Libc.close((int) copied.result());
        }
    }

    @Test
    @DisplayName("a call that fails with EINTR is made again; any other errno is thrown after one call")
    void eintrIsRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        long result = Downcall.retryingEintr("fake", "nothing", state -> {
            if (calls.incrementAndGet() < 3) {
                return failWith(state, Errno.EINTR);
            }
            return 7;
        });
        assertThat(result).isEqualTo(7);
        assertThat(calls).hasValue(3);

        calls.set(0);
        assertThatThrownBy(() -> Downcall.retryingEintr("fake", "nothing", state -> {
            calls.incrementAndGet();
            return failWith(state, Errno.EAGAIN);
        })).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        assertThat(calls).hasValue(1);
    }

    @Test
    @DisplayName("closing is made once: EINTR counts as closed, other errnos are thrown")
    void closingIsNotRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Downcall.closing("close", "fd 99", state -> {
            calls.incrementAndGet();
            return failWith(state, Errno.EINTR);
        });
        assertThat(calls).as("close(2) interrupted by a signal must not be made again").hasValue(1);

        assertThatThrownBy(() -> Libc.close(-1))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EBADF)).isTrue())
                .hasMessageStartingWith("close(fd -1) failed: EBADF");
    }

    @Test
    @DisplayName("a real signal interrupts poll(2): attempt sees EINTR, retryingEintr polls again until the pipe is ready")
    void realEintrFromTheKernel() throws Exception {
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        try (Arena shared = Arena.ofShared()) {
            // struct pollfd { int fd; short events; short revents; }: wait for the read end, for ever
            MemorySegment pollfd = shared.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, pipe[0]);
            pollfd.set(JAVA_SHORT, 4, Libc.POLLIN);
            Downcall.Invocation pollForever = state -> (int) POLL.invokeExact(state, pollfd, 1L, -1);

            Started<Downcall.Outcome> once = start(() -> Downcall.attempt("poll", pollForever));
            signalUntil(once.tid(), () -> once.result().isDone());
            assertThat(once.result().get(10, TimeUnit.SECONDS).is(Errno.EINTR))
                    .as("poll(2) interrupted by a signal handler fails with EINTR").isTrue();

            AtomicInteger calls = new AtomicInteger();
            Started<Long> retrying = start(() -> Downcall.retryingEintr("poll", "fd " + pipe[0], state -> {
                calls.incrementAndGet();
                return pollForever.invoke(state);
            }));
            signalUntil(retrying.tid(), () -> calls.get() >= 3);
            assertThat(retrying.result()).as("polling again after %d interruptions", calls.get() - 1).isNotDone();
            Libc.write(pipe[1], new byte[] {1}, 0, 1);
            assertThat(retrying.result().get(10, TimeUnit.SECONDS)).as("one descriptor ready").isEqualTo(1);
            assertThat(calls.get()).isGreaterThanOrEqualTo(3);
        } finally {
            Libc.close(pipe[1]); // a poll left waiting by a failed assertion sees POLLHUP and returns
            Libc.close(pipe[0]);
        }
    }

    @Test
    @DisplayName("unchecked exceptions and errors from the call pass through unchanged; checked ones name the call")
    void onlyCheckedThrowablesAreWrapped() {
        IllegalArgumentException unchecked = new IllegalArgumentException("a mistake in Java code");
        assertThatThrownBy(() -> Downcall.attempt("fake", state -> { throw unchecked; })).isSameAs(unchecked);
        assertThatThrownBy(() -> Downcall.retryingEintr("fake", "x", state -> { throw unchecked; })).isSameAs(unchecked);
        assertThatThrownBy(() -> Downcall.cannotFail("fake", () -> { throw unchecked; })).isSameAs(unchecked);

        StackOverflowError error = new StackOverflowError();
        assertThatThrownBy(() -> Downcall.attempt("fake", state -> { throw error; })).isSameAs(error);
        assertThatThrownBy(() -> Downcall.cannotFail("fake", () -> { throw error; })).isSameAs(error);

        // A real one: dup returns an int, so asking invokeExact for a long is the wrong method type.
        assertThatThrownBy(() -> Downcall.retryingEintr("dup", "fd 0", state -> (long) DUP.invokeExact(state, 0)))
                .isInstanceOf(WrongMethodTypeException.class);

        IOException checked = new IOException("checked");
        assertThatThrownBy(() -> Downcall.attempt("fake", state -> { throw checked; }))
                .isInstanceOf(IllegalStateException.class).hasMessage("fake could not be called").hasCause(checked);
        assertThatThrownBy(() -> Downcall.cannotFail("getpid", () -> { throw checked; }))
                .isInstanceOf(IllegalStateException.class).hasMessage("getpid could not be called").hasCause(checked);
    }

    @Test
    @DisplayName("cannotFail returns what a function without errno returned")
    void cannotFailReturnsTheResult() {
        assertThat(Libc.getpid()).isEqualTo((int) ProcessHandle.current().pid());
        assertThat(Libc.strerror(Errno.ECONNABORTED.code())).isEqualTo("Software caused connection abort");
    }

    /** Plays a C function that failed: errno where the JVM would have captured it, and -1. */
    private static long failWith(MemorySegment callState, Errno errno) {
        ERRNO.set(callState, 0L, errno.code());
        return -1;
    }

    /** Sends SIGUSR1 to thread {@code tid} until {@code done} (a signal may come before the call blocks, so one is not enough). */
    private static void signalUntil(int tid, BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Downcall.retryingEintr("tgkill", "tid " + tid,
                    state -> (int) TGKILL.invokeExact(state, Libc.getpid(), tid, Libc.SIGUSR1));
            Thread.sleep(5);
        }
    }

    private static int gettid() {
        return Downcall.cannotFail("gettid", () -> (int) GETTID.invokeExact());
    }

    /** A thread making one call, and its kernel thread id, so that a signal can be aimed at it. */
    private record Started<T>(int tid, CompletableFuture<T> result) {
    }

    private interface Body<T> {
        T run() throws Exception;
    }

    private static <T> Started<T> start(Body<T> body) throws Exception {
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("downcall-test").start(() -> {
            tid.complete(gettid());
            try {
                result.complete(body.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return new Started<>(tid.get(10, TimeUnit.SECONDS), result);
    }
}
