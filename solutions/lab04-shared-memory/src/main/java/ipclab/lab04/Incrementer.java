package ipclab.lab04;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The lost-update experiment: several processes add 1 to one shared counter, many times each.
 * Given code; {@link #run} is the parent's side, {@link #main} the child's.
 *
 * <pre>
 *  offset 0    the FutexMutex word                 (LOCKED mode)
 *  offset 64   int: children ready to start         int at 68: 1 = go
 *  offset 128  long: the counter, on a cache line of its own
 * </pre>
 *
 * <pre>Incrementer FILE RACY|ATOMIC|LOCKED COUNT</pre>
 */
public final class Incrementer {

    public static final long LOCK_OFFSET = 0;
    public static final long READY_OFFSET = 64;
    public static final long GO_OFFSET = 68;
    public static final long COUNTER_OFFSET = 128;
    public static final long BYTES = 192;

    /** How the children add 1. */
    public enum Mode {
        /** Read the counter, then write it plus one: two separate (volatile!) accesses, so updates get lost. */
        RACY,
        /** One atomic read-modify-write instruction (lock xadd): exact, for this one counter. */
        ATOMIC,
        /** Read and write while holding a {@link FutexMutex}: exact, and works for any amount of shared state. */
        LOCKED
    }

    /** What a run counted. */
    public record Result(Mode mode, int processes, long expected, long counted, Duration took) {

        public long lost() {
            return expected - counted;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-6s %d processes: expected %,d, counted %,d, lost %,d (%.1f%%), %d ms",
                    mode, processes, expected, counted, lost(), 100.0 * lost() / expected, took.toMillis());
        }
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private Incrementer() {
    }

    /**
     * Starts {@code processes} child JVMs that each add 1 to a shared counter {@code each} times, all
     * starting at the same moment, and returns what the counter says when they have all exited.
     */
    public static Result run(Mode mode, int processes, int each, Duration deadline) throws IOException, TimeoutException, InterruptedException {
        Path file = SharedRegion.newShmPath("counter");
        List<ChildProcess> children = new ArrayList<>();
        try (SharedRegion region = SharedRegion.create(file, BYTES)) {
            MemorySegment shared = region.segment();
            long end = System.nanoTime() + deadline.toNanos();
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.main(Incrementer.class).args(file.toString(), mode.name(), Integer.toString(each))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            // A start line: JVMs take a while to start, and one that finishes before the next has
            // begun would race nobody. Each child says "ready" in shared memory and waits for "go".
            Backoff backoff = new Backoff();
            while ((int) INT.getVolatile(shared, READY_OFFSET) < processes) {
                checkChildren(children, end);
                backoff.idle();
            }
            long start = System.nanoTime();
            INT.setVolatile(shared, GO_OFFSET, 1);
            for (ChildProcess child : children) {
                int status = child.waitFor(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
                if (status != 0) {
                    throw new IllegalStateException("incrementer " + child + " exited with status " + status + " (see its stderr)");
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Result(mode, processes, (long) processes * each, (long) LONG.getVolatile(shared, COUNTER_OFFSET), took);
        } finally {
            children.forEach(ChildProcess::close);
        }
    }

    private static void checkChildren(List<ChildProcess> children, long end) throws TimeoutException {
        for (ChildProcess child : children) {
            if (!child.process().isAlive()) {
                throw new IllegalStateException("incrementer " + child + " exited with status " + child.process().exitValue()
                        + " before it was ready (see its stderr)");
            }
        }
        if (System.nanoTime() - end > 0) {
            throw new TimeoutException("the incrementers did not all get ready in time");
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Mode mode = Mode.valueOf(args[1]);
        int count = Integer.parseInt(args[2]);
        try (SharedRegion region = SharedRegion.open(file)) {
            MemorySegment shared = region.segment();
            FutexMutex mutex = new FutexMutex(shared.asSlice(LOCK_OFFSET, 4));
            INT.getAndAdd(shared, READY_OFFSET, 1);
            Backoff backoff = new Backoff();
            while ((int) INT.getVolatile(shared, GO_OFFSET) == 0) {
                backoff.idle();
            }
            Duration patience = Duration.ofSeconds(20);
            for (int i = 0; i < count; i++) {
                switch (mode) {
                    case RACY -> {
                        // Volatile does not help: between this read and this write, the other process
                        // may add its own 1s, and our write puts back an older value plus one.
                        long value = (long) LONG.getVolatile(shared, COUNTER_OFFSET);
                        LONG.setVolatile(shared, COUNTER_OFFSET, value + 1);
                    }
                    case ATOMIC -> LONG.getAndAdd(shared, COUNTER_OFFSET, 1L);
                    case LOCKED -> {
                        mutex.lock(patience);
                        try {
                            long value = (long) LONG.getVolatile(shared, COUNTER_OFFSET);
                            LONG.setVolatile(shared, COUNTER_OFFSET, value + 1);
                        } finally {
                            mutex.unlock();
                        }
                    }
                }
            }
        }
        System.out.println("done");
    }
}
