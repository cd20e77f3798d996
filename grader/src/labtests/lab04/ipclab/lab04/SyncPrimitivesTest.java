package ipclab.lab04;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SyncPrimitivesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    @Graded(points = 12, handout = "Step 6: A counting semaphore")
    @DisplayName("the semaphore hands out exactly its permits, times out when none is left, and a waiter sleeps in futex(2) until a child JVM releases permits")
    void semaphoreCountsAndWakesAcrossProcesses() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("semaphore", 4096)) {
            FutexSemaphore semaphore = new FutexSemaphore(shm.segment.asSlice(0, 4));
            semaphore.initialise(2);
            assertThat(semaphore.tryAcquire()).as("first tryAcquire of 2 permits").isTrue();
            assertThat(semaphore.tryAcquire()).as("second tryAcquire of 2 permits").isTrue();
            assertThat(semaphore.tryAcquire()).as("a third tryAcquire with no permit left should return false").isFalse();
            assertThat(semaphore.available()).as("the count in shared memory after taking both permits").isZero();
            assertThat(semaphore.acquire(Duration.ofMillis(200)))
                    .as("acquire(200 ms) with no permit and nobody releasing should return false when the time is up")
                    .isFalse();
            semaphore.release();
            assertThat(semaphore.available()).as("release adds one permit to the count in shared memory").isEqualTo(1);
            assertThat(semaphore.acquire(Duration.ofSeconds(1))).as("acquire with a permit available").isTrue();

            CompletableFuture<Boolean> acquirer = Await.onNewThread("lab04-acquirer", () -> semaphore.acquire(DEADLINE));
            TestKit.awaitFutexSleep("lab04-acquirer", shm.segment.address(), Duration.ofSeconds(5), acquirer,
                    "a thread waiting in acquire() should sleep in futex(2) FUTEX_WAIT on the semaphore's word while the count is"
                            + " 0, so that release's FUTEX_WAKE on that word wakes it");
            try (TestKit.Child releaser = TestKit.startSyncChild("release", shm.file.toString(), "3")) {
                releaser.expectExit(0, DEADLINE, "the child should release 3 permits and exit 0");
            }
            assertThat(Await.await(acquirer, Duration.ofSeconds(5), "the sleeping acquirer was not woken by the child's release:"
                    + " does release() call FUTEX_WAKE on the word after adding the permit?"))
                    .as("the waiting acquire should succeed once the child released permits").isTrue();
            assertThat(semaphore.acquire(Duration.ofSeconds(5))).as("second of the child's 3 permits").isTrue();
            assertThat(semaphore.acquire(Duration.ofSeconds(5))).as("third of the child's 3 permits").isTrue();
            assertThat(semaphore.tryAcquire()).as("the child released 3 permits and all 3 are taken: none left").isFalse();
            assertThat(semaphore.available()).isZero();
        }
    }

    @Test
    @Graded(points = 6, handout = "Step 7: A condition to wait on")
    @DisplayName("await releases the mutex, sleeps in futex(2) on the condition word, and holds the mutex again when it returns, after a signal or a timeout")
    void awaitReleasesSleepsAndRetakesTheMutex() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("condition", 4096)) {
            MemorySegment shared = shm.segment;
            FutexMutex mutex = new FutexMutex(shared.asSlice(0, 4));
            FutexCondition condition = new FutexCondition(shared.asSlice(SyncChild.CONDITION_OFFSET, 4));

            mutex.lock(DEADLINE);
            try {
                assertThat(condition.await(mutex, Duration.ofMillis(200)))
                        .as("await(200 ms) with nobody signalling should return false when the time is up").isFalse();
                assertThat(mutex.owner()).as("await must take the mutex again before it returns, also after a timeout").isEqualTo(SELF);
            } finally {
                mutex.unlock();
            }
            assertThatThrownBy(() -> condition.await(mutex, Duration.ofMillis(100)))
                    .as("await without holding the mutex should throw IllegalMonitorStateException (from unlock)")
                    .isInstanceOf(IllegalMonitorStateException.class);

            CompletableFuture<Integer> awaiter = Await.onNewThread("lab04-awaiter", () -> {
                mutex.lock(DEADLINE);
                try {
                    while (shared.get(ValueLayout.JAVA_INT, SyncChild.FLAG_OFFSET) == 0) {
                        if (!condition.await(mutex, DEADLINE)) {
                            throw new AssertionError("await timed out although the test signalled");
                        }
                    }
                    return mutex.owner();
                } finally {
                    mutex.unlock();
                }
            });
            TestKit.awaitFutexSleep("lab04-awaiter", shared.address() + SyncChild.CONDITION_OFFSET, Duration.ofSeconds(5), awaiter,
                    "a thread in await() should sleep in futex(2) FUTEX_WAIT on the condition word, with the sequence number it"
                            + " read while holding the mutex as the expected value");
            mutex.lock(DEADLINE); // proves await released the mutex while it sleeps
            try {
                shared.set(ValueLayout.JAVA_INT, SyncChild.FLAG_OFFSET, 7);
                condition.signal();
            } finally {
                mutex.unlock();
            }
            assertThat(Await.await(awaiter, Duration.ofSeconds(5), "signal() did not wake the thread sleeping in await():"
                    + " it should change the condition word and then call FUTEX_WAKE on it"))
                    .as("the woken thread holds the mutex again inside await's caller").isEqualTo(SELF);
        }
    }

    @Test
    @Graded(points = 6, handout = "Step 7: A condition to wait on")
    @DisplayName("a child JVM waiting on the condition wakes when this process changes the shared flag and calls signalAll")
    void conditionWakesAnotherProcess() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("condition2", 4096);
             TestKit.Child waiter = TestKit.startSyncChild("await-flag", shm.file.toString())) {
            MemorySegment shared = shm.segment;
            FutexMutex mutex = new FutexMutex(shared.asSlice(0, 4));
            FutexCondition condition = new FutexCondition(shared.asSlice(SyncChild.CONDITION_OFFSET, 4));
            assertThat(waiter.next(DEADLINE, "waiting")).isEqualTo("waiting");
            // The child printed "waiting" holding the mutex; we get it only once its await has released it.
            mutex.lock(DEADLINE);
            try {
                shared.set(ValueLayout.JAVA_INT, SyncChild.FLAG_OFFSET, 42);
                condition.signalAll();
            } finally {
                mutex.unlock();
            }
            assertThat(waiter.next(DEADLINE, "woke 42"))
                    .as("the child should wake from await, take the mutex again and see the flag this process set")
                    .isEqualTo("woke 42");
            waiter.expectExit(0, DEADLINE, "the waiting child should unlock and exit 0 after it woke");
        }
    }
}
