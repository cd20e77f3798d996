package ipclab.lab04;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FutexMutexTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final int SELF = (int) ProcessHandle.current().pid();

    @Test
    @Graded(points = 10, handout = "Step 3: A futex mutex")
    @DisplayName("the mutex word names its owner's pid; a process waiting for a mutex another process holds sleeps in futex(2) on the word until the unlock")
    void excludesOtherProcessesAndSleepsWhileWaiting() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("mutex", 4096)) {
            FutexMutex mutex = new FutexMutex(shm.segment.asSlice(0, 4));
            assertThat(mutex.tryLock()).as("tryLock on a free mutex (word 0) should take it").isTrue();
            assertThat(word(shm)).as("a mutex held by this process, with nobody waiting, should hold exactly our pid %d", SELF)
                    .isEqualTo(SELF);
            assertThat(mutex.tryLock()).as("tryLock on a mutex that is held (by us, even) should return false: it is not reentrant")
                    .isFalse();
            mutex.unlock();
            assertThat(word(shm)).as("unlock should set the word back to 0 (free)").isZero();
            assertThatThrownBy(mutex::unlock)
                    .as("unlocking a mutex that is not locked should throw IllegalMonitorStateException")
                    .isInstanceOf(IllegalMonitorStateException.class);

            try (TestKit.Child holder = TestKit.startSyncChild("hold-lock", shm.file.toString())) {
                assertThat(holder.next(DEADLINE, "locked")).isEqualTo("locked");
                assertThat(word(shm) & ~FutexMutex.WAITERS)
                        .as("while the child (pid %d) holds the mutex, the word should name it", holder.pid())
                        .isEqualTo((int) holder.pid());
                assertThat(mutex.tryLock()).as("tryLock while another process holds the mutex should return false").isFalse();
                assertThatThrownBy(mutex::unlock)
                        .as("unlocking a mutex another process holds should throw IllegalMonitorStateException")
                        .isInstanceOf(IllegalMonitorStateException.class);
                assertThat(word(shm) & ~FutexMutex.WAITERS).as("a refused unlock must leave the word alone").isEqualTo((int) holder.pid());

                CompletableFuture<Integer> locker = Await.onNewThread("lab04-locker", () -> {
                    mutex.lock(DEADLINE);
                    int owner = mutex.owner();
                    mutex.unlock();
                    return owner;
                });
                TestKit.awaitFutexSleep("lab04-locker", shm.segment.address(), Duration.ofSeconds(5), locker,
                        "a thread waiting in lock() should sleep in futex(2) FUTEX_WAIT on the mutex word itself, so that the"
                                + " owner's FUTEX_WAKE on that word wakes it; spinning burns a core, and parkNanos sleeps on the"
                                + " JVM's own futex, which no other process can wake");
                assertThat(word(shm) & FutexMutex.WAITERS)
                        .as("before it sleeps, a waiter should set the WAITERS bit in the word, or the owner's unlock will not call"
                                + " FUTEX_WAKE and the waiter sleeps until its timeout")
                        .isNotZero();

                holder.stdin().println("unlock");
                assertThat(holder.next(DEADLINE, "unlocked")).isEqualTo("unlocked");
                Integer owner = Await.await(locker, Duration.ofSeconds(5), "the waiting thread did not get the mutex after the"
                        + " child unlocked it: does unlock() wake a sleeper (FUTEX_WAKE) when the WAITERS bit is set?");
                assertThat(owner).as("inside lock()..unlock(), owner() should be this process").isEqualTo(SELF);
                assertThat(word(shm)).as("after the last unlock the word should be 0 again").isZero();
                holder.expectExit(0, DEADLINE, "the holder should exit 0 after unlocking");
            }
        }
    }

    @Test
    @Graded(points = 12, handout = "Step 4: Fix the lost update")
    @DisplayName("two child JVMs adding 1 to a shared counter 200,000 times each under the mutex count exactly 400,000")
    void twoProcessesCountExactlyUnderTheMutex() throws Exception {
        int each = 200_000;
        try (TestKit.Shm shm = TestKit.Shm.create("counter", Incrementer.BYTES);
             TestKit.Child first = TestKit.startSyncChild("increment", shm.file.toString(), Integer.toString(each));
             TestKit.Child second = TestKit.startSyncChild("increment", shm.file.toString(), Integer.toString(each))) {
            long giveUp = System.nanoTime() + DEADLINE.toNanos();
            // Both children start together, or one could finish before the other begins and nothing would race.
            while (shm.segment.get(ValueLayout.JAVA_INT, Incrementer.READY_OFFSET) < 2) {
                for (TestKit.Child child : new TestKit.Child[] {first, second}) {
                    if (!child.process.process().isAlive()) {
                        child.expectExit(0, DEADLINE, "an incrementing child exited before it was ready to start");
                    }
                }
                if (System.nanoTime() - giveUp > 0) {
                    fail("the two incrementing children did not get ready within " + DEADLINE.toSeconds() + " s");
                }
                Thread.onSpinWait();
            }
            shm.segment.set(ValueLayout.JAVA_INT, Incrementer.GO_OFFSET, 1);
            first.expectExit(0, Duration.ofSeconds(20), "the first incrementer should finish its " + each + " locked increments");
            second.expectExit(0, Duration.ofSeconds(20), "the second incrementer should finish its " + each + " locked increments");
            long counted = shm.segment.get(ValueLayout.JAVA_LONG, Incrementer.COUNTER_OFFSET);
            assertThat(counted)
                    .as("%d updates were lost: two processes got the mutex at the same time. Take it with one compare-and-set"
                            + " from 0 to your pid, and release it with a volatile write (getAndSet), so that the counter's"
                            + " store is visible before the next owner's load", 2L * each - counted)
                    .isEqualTo(2L * each);
            assertThat(shm.segment.get(ValueLayout.JAVA_INT, Incrementer.LOCK_OFFSET)).as("the mutex should be free at the end").isZero();
        }
    }

    @Test
    @Graded(points = 8, handout = "Step 5: When the owner dies")
    @DisplayName("lock() on a mutex whose owner was killed throws OwnerDiedException naming it, instead of waiting; breakLock frees it")
    void ownerKilledWhileHoldingTheMutexIsDetected() throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.create("ownerdied", 4096)) {
            FutexMutex mutex = new FutexMutex(shm.segment.asSlice(0, 4));
            int dead;
            try (TestKit.Child holder = TestKit.startSyncChild("hold-lock", shm.file.toString())) {
                assertThat(holder.next(DEADLINE, "locked")).isEqualTo("locked");
                dead = (int) holder.pid();
            } // close(): SIGKILL, and wait until it is gone. It never unlocked.
            assertThat(word(shm) & ~FutexMutex.WAITERS).as("the killed child's pid is still in the word: nobody unlocked").isEqualTo(dead);

            CompletableFuture<Object> attempt = Await.onNewThread("lab04-dead-lock", () -> {
                mutex.lock(Duration.ofSeconds(10));
                return "locked";
            });
            try {
                Await.await(attempt, Duration.ofSeconds(8), "lock() kept waiting for a process that no longer exists; check the"
                        + " owner with kill(pid, 0) (ESRCH: gone) before and between waits, and wait in slices so you get to check");
                fail("lock() took a mutex whose owner (pid " + dead + ") died holding it, without a word: the data it protects"
                        + " may be half updated. It should throw OwnerDiedException");
            } catch (OwnerDiedException e) {
                assertThat(e.owner()).as("OwnerDiedException should name the dead owner's pid").isEqualTo(dead);
            } catch (TimeoutException e) {
                fail("lock() waited until its timeout for a dead owner (pid " + dead + "); it should notice the owner is gone"
                        + " and throw OwnerDiedException");
            }
            assertThatThrownBy(() -> mutex.breakLock(SELF))
                    .as("breakLock(pid) of a process that still exists (this one) should throw IllegalArgumentException")
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(mutex.breakLock(dead)).as("breakLock(%d) should free the dead owner's mutex and return true", dead).isTrue();
            assertThat(word(shm)).as("after breakLock the word should be 0").isZero();
            assertThat(mutex.breakLock(dead)).as("a second breakLock finds the mutex no longer held by the dead pid: false").isFalse();
            assertThat(mutex.tryLock()).as("after breakLock the mutex can be taken again").isTrue();
            mutex.unlock();
        }
    }

    private static int word(TestKit.Shm shm) {
        return shm.segment.get(ValueLayout.JAVA_INT, 0);
    }
}
