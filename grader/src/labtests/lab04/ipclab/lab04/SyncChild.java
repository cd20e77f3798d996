package ipclab.lab04;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The other process of the lab 04 tests. It maps the test's file with {@link TestKit.Shm} (not your
 * SharedRegion, so each step is graded on its own) and then uses your classes:
 *
 * <pre>
 * SyncChild hold-lock FILE                       lock the mutex at 0, print "locked"; on the stdin line "unlock",
 *                                                unlock and print "unlocked"; at end of stdin, exit holding it
 * SyncChild increment FILE COUNT                 add 1 to the counter COUNT times under the mutex (Incrementer's layout)
 * SyncChild release FILE N                       release the semaphore at 0 N times
 * SyncChild await-flag FILE                      lock; print "waiting"; await the condition at 64 until the int at 128
 *                                                is not 0; print "woke VALUE"; unlock
 * SyncChild produce FILE COUNT SLOTS SLOT_BYTES  put COUNT sequenced records into the ring at 0
 * </pre>
 */
public final class SyncChild {

    static final long CONDITION_OFFSET = 64;
    static final long FLAG_OFFSET = 128;
    static final long RECORD_CHECK = 0x9E37_79B9_7F4A_7C15L; // a record is (n, n * RECORD_CHECK)
    static final int RECORD_BYTES = 16;
    static final int AWAIT_TIMED_OUT_EXIT = 3;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private SyncChild() {
    }

    public static void main(String[] args) throws Exception {
        try (TestKit.Shm shm = TestKit.Shm.open(Path.of(args[1]))) {
            MemorySegment shared = shm.segment;
            switch (args[0]) {
                case "hold-lock" -> holdLock(shared);
                case "increment" -> increment(shared, Integer.parseInt(args[2]));
                case "release" -> {
                    FutexSemaphore semaphore = new FutexSemaphore(shared.asSlice(0, 4));
                    for (int i = Integer.parseInt(args[2]); i > 0; i--) {
                        semaphore.release();
                    }
                }
                case "await-flag" -> awaitFlag(shared);
                case "produce" -> produce(shared, Long.parseLong(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
    }

    private static void holdLock(MemorySegment shared) throws Exception {
        FutexMutex mutex = new FutexMutex(shared.asSlice(0, 4));
        mutex.lock(PATIENCE);
        System.out.println("locked");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if ("unlock".equals(in.readLine())) {
            mutex.unlock();
            System.out.println("unlocked");
        }
    }

    private static void increment(MemorySegment shared, int count) throws Exception {
        FutexMutex mutex = new FutexMutex(shared.asSlice(Incrementer.LOCK_OFFSET, 4));
        INT.getAndAdd(shared, Incrementer.READY_OFFSET, 1);
        long giveUp = System.nanoTime() + PATIENCE.toNanos();
        while ((int) INT.getVolatile(shared, Incrementer.GO_OFFSET) == 0) {
            if (System.nanoTime() - giveUp > 0) {
                throw new IllegalStateException("the test never said go");
            }
            Thread.onSpinWait();
        }
        for (int i = 0; i < count; i++) {
            mutex.lock(PATIENCE);
            try {
                long value = (long) LONG.getVolatile(shared, Incrementer.COUNTER_OFFSET);
                LONG.setVolatile(shared, Incrementer.COUNTER_OFFSET, value + 1);
            } finally {
                mutex.unlock();
            }
        }
    }

    private static void awaitFlag(MemorySegment shared) throws Exception {
        FutexMutex mutex = new FutexMutex(shared.asSlice(0, 4));
        FutexCondition condition = new FutexCondition(shared.asSlice(CONDITION_OFFSET, 4));
        mutex.lock(PATIENCE);
        try {
            System.out.println("waiting");
            System.out.flush();
            while ((int) INT.getVolatile(shared, FLAG_OFFSET) == 0) {
                if (!condition.await(mutex, PATIENCE)) {
                    System.err.println("SyncChild: await returned false (timed out) after " + PATIENCE + " with the flag still 0");
                    System.exit(AWAIT_TIMED_OUT_EXIT);
                }
            }
            System.out.println("woke " + (int) INT.getVolatile(shared, FLAG_OFFSET));
        } finally {
            mutex.unlock();
        }
    }

    private static void produce(MemorySegment shared, long count, int slots, int slotBytes) throws Exception {
        RingBuffer ring = new RingBuffer(shared, slots, slotBytes);
        byte[] record = new byte[RECORD_BYTES];
        MemorySegment view = MemorySegment.ofArray(record);
        for (long n = 0; n < count; n++) {
            view.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, n);
            view.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, n * RECORD_CHECK);
            ring.put(record, PATIENCE);
        }
    }
}
