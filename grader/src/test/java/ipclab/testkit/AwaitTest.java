package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Await waits with a deadline")
class AwaitTest {

    @Test
    @DisplayName("at the deadline the test fails with the sentence it was given")
    void failsWithTheSentence() {
        assertThatThrownBy(() -> Await.await(new CompletableFuture<>(), Duration.ofSeconds(1), "the reader never came"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("still not finished after 1 s: the reader never came");
    }

    @Test
    @DisplayName("the work's own exception is thrown as is, an AssertionError made on its thread too")
    void rethrowsTheWorksException() {
        assertThatThrownBy(() -> Await.within(Duration.ofSeconds(10), "hangs", () -> {
            throw new UnsupportedOperationException("TODO: step 3");
        })).isExactlyInstanceOf(UnsupportedOperationException.class).hasMessage("TODO: step 3");
        assertThatThrownBy(() -> Await.within(Duration.ofSeconds(10), "hangs", () -> {
            throw new AssertionError("checked on the worker");
        })).isExactlyInstanceOf(AssertionError.class).hasMessage("checked on the worker");
    }

    @Test
    @DisplayName("a companion's failure ends the wait at once, with that failure")
    void companionFailsFirst() {
        CompletableFuture<Object> reader = Await.onNewThread(() -> {
            throw new IOException("the reader died");
        });
        long start = System.nanoTime();
        assertThatThrownBy(() -> Await.await(new CompletableFuture<>(), Duration.ofSeconds(30), "the writer hangs", reader))
                .isExactlyInstanceOf(IOException.class).hasMessage("the reader died");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @DisplayName("the work runs on a daemon platform thread of the given name, and its value comes back")
    void runsOnANamedThread() throws Exception {
        CompletableFuture<String> name = Await.onNewThread("kit-named-worker", () -> {
            Thread t = Thread.currentThread();
            return t.getName() + (t.isDaemon() ? " daemon" : "") + (t.isVirtual() ? " virtual" : "");
        });
        assertThat(Await.await(name, Duration.ofSeconds(10), "the worker never ran")).isEqualTo("kit-named-worker daemon");
    }

    @Test
    @DisplayName("polling returns the probe's first answer, and fails with its sentence when none comes")
    void polling() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        assertThat(Await.polling(Duration.ofSeconds(10), () -> calls.incrementAndGet() < 3 ? null : "third", "never")).isEqualTo("third");
        assertThat(calls).hasValue(3);
        assertThatThrownBy(() -> Await.polling(Duration.ofMillis(100), () -> null, "nothing ever came"))
                .isInstanceOf(AssertionError.class).hasMessage("nothing ever came");
        assertThatThrownBy(() -> Await.until(Duration.ofMillis(100), () -> false, "it never held"))
                .isInstanceOf(AssertionError.class).hasMessage("it never held");
        Await.until(Duration.ofSeconds(10), () -> calls.incrementAndGet() > 5, "it never held");
    }

    @Test
    @DisplayName("failureOf returns how the future failed; a success or a hang fails the test")
    void failureOf() throws Exception {
        IOException why = new IOException("refused");
        assertThat(Await.failureOf(CompletableFuture.failedFuture(why), Duration.ofSeconds(1), "hangs")).isSameAs(why);
        assertThatThrownBy(() -> Await.failureOf(CompletableFuture.completedFuture(42), Duration.ofSeconds(1), "hangs"))
                .isInstanceOf(AssertionError.class).hasMessage("expected a failure but it completed with 42");
        assertThatThrownBy(() -> Await.failureOf(new CompletableFuture<>(), Duration.ofSeconds(1), "the call never ended"))
                .isInstanceOf(AssertionError.class).hasMessage("still not finished after 1 s: the call never ended");
    }
}
