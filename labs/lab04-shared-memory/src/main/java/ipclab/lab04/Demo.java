package ipclab.lab04;

import ipclab.support.RunTag;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Lab 04 live: one file mapped into two processes, the lost update, and the futex that fixes it.
 * Run it with {@code ./ipclab demo shared-memory} ({@code --no-pause} runs straight through).
 */
public final class Demo {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();

    private Demo(Narrator n) {
        this.n = n;
    }

    public static void main(String[] args) throws Exception {
        new Demo(Narrator.fromArgs(args)).run();
    }

    private void run() throws Exception {
        oneFileTwoMappings();
        lostUpdate();
        waitingWithoutSpinning();
        n.step("Done");
        try (Stream<Path> left = Files.list(Path.of("/dev/shm"))) {
            long ours = left.filter(p -> p.getFileName().toString().startsWith("ipclab-" + RunTag.current() + "-")).count();
            n.say("Files this demo left in /dev/shm: " + (ours == 0 ? "none" : ours));
        }
        n.say("Child processes still running: " + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    // ---- Step 1: map a shared file ---------------------------------------------------------------

    private void oneFileTwoMappings() throws Exception {
        n.step("One file, mapped into two processes");
        Path file = SharedRegion.newShmPath("demo");
        try (SharedRegion region = SharedRegion.create(file, 2 * MapPeer.TEXT_SLOT_BYTES)) {
            n.say("SharedRegion.create made a " + region.size() + "-byte file in /dev/shm (a tmpfs: memory, no disk)");
            n.shell("ls", "-l", file.toString());
            n.say("and mapped it with FileChannel.map(READ_WRITE): mmap(MAP_SHARED). Our /proc/" + pid + "/maps line:");
            n.shell("grep", file.toString(), "/proc/" + pid + "/maps");
            n.say("address range, permissions rw-s (s: shared; a MAP_PRIVATE copy would say rw-p), offset, device, inode, name.");
            n.say("The FileChannel is closed already: no descriptor refers to the file, the mapping holds it by itself.");
            n.shell("sh", "-c", "ls -l /proc/" + pid + "/fd | grep -c " + file.getFileName() + " || true");

            MapPeer.writeText(region.segment(), MapPeer.MESSAGE_OFFSET, "hello from pid " + pid);
            n.say("We store \"hello from pid " + pid + "\" into the segment: plain memory stores, no write(2).");
            try (ChildProcess peer = ChildJvm.main(MapPeer.class).args(file.toString()).start()) {
                BufferedReader fromPeer = new BufferedReader(new InputStreamReader(peer.process().getInputStream(), StandardCharsets.UTF_8));
                fromPeer.readLine(); // "mapped ...": we show its maps line with grep below
                String read = fromPeer.readLine();
                String replied = fromPeer.readLine();
                if (read == null || !"replied".equals(replied)) {
                    throw new IllegalStateException("MapPeer did not finish its part (see its stderr above)");
                }
                n.say("MapPeer (pid " + peer.pid() + ") opened and mapped the same file. Its maps line, from /proc/" + peer.pid() + "/maps:");
                n.shell("grep", file.toString(), "/proc/" + peer.pid() + "/maps");
                n.say("A different address, perhaps, but the same device and inode: the same pages of the page cache.");
                n.say("It printed what it loaded from its mapping: \"" + read.substring("read ".length()) + "\"");
                n.say("and stored its reply, which we load from our own mapping: \""
                        + MapPeer.readText(region.segment(), MapPeer.REPLY_OFFSET) + "\"");
                peer.process().getOutputStream().close();
                n.say("MapPeer exited with status " + peer.waitFor(Duration.ofSeconds(10)) + " when we closed its stdin.");
            }
        }
        n.say("Closing the creator's region unmapped it (munmap) and removed the file: exists now? " + Files.exists(file));
    }

    // ---- Steps 3 and 4: the lost update and the mutex --------------------------------------------

    private void lostUpdate() throws Exception {
        n.step("The lost update: two processes, one counter, counter = counter + 1");
        int each = 1_000_000;
        n.say("Two child JVMs map one counter and each add 1 to it " + String.format("%,d", each) + " times,");
        n.say("as a volatile load and then a volatile store of the value plus one:");
        Incrementer.Result racy = Incrementer.run(Incrementer.Mode.RACY, 2, each, PATIENCE);
        n.say("  " + racy);
        n.say("Between one process's load and its store, the other stores its own increments, which the");
        n.say("first then overwrites with an older value plus one. Volatile orders accesses; it does not join them.");

        n.step("The fix, twice: one atomic instruction, or a futex mutex");
        Incrementer.Result atomic = Incrementer.run(Incrementer.Mode.ATOMIC, 2, each, PATIENCE);
        n.say("  " + atomic);
        n.say("  VarHandle.getAndAdd is one `lock xadd` instruction: the CPU holds the cache line for the whole update.");
        Incrementer.Result locked = Incrementer.run(Incrementer.Mode.LOCKED, 2, each, PATIENCE);
        n.say("  " + locked);
        n.say("  FutexMutex: compare-and-set to take it, futex(2) only when it is busy. Slower per increment,");
        n.say("  but it protects any amount of shared state, not just one word.");
    }

    // ---- Step 7: a condition ---------------------------------------------------------------------

    private void waitingWithoutSpinning() throws Exception {
        n.step("Waiting without spinning: a thread asleep on a futex word");
        Path file = SharedRegion.newShmPath("demo-cond");
        try (SharedRegion region = SharedRegion.create(file, 4096)) {
            MemorySegment shared = region.segment();
            FutexMutex mutex = new FutexMutex(shared.asSlice(0, 4));
            FutexCondition condition = new FutexCondition(shared.asSlice(64, 4));
            long flag = 128;
            CompletableFuture<Integer> waiter = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("demo-waiter").start(() -> {
                try {
                    mutex.lock(PATIENCE);
                    try {
                        while ((int) INT.getVolatile(shared, flag) == 0) {
                            if (!condition.await(mutex, PATIENCE)) {
                                throw new IllegalStateException("no signal came");
                            }
                        }
                        waiter.complete((int) INT.getVolatile(shared, flag));
                    } finally {
                        mutex.unlock();
                    }
                } catch (Throwable t) {
                    waiter.completeExceptionally(t);
                }
            });
            Optional<String> tid = awaitFutexSleep("demo-waiter", shared.address() + 64);
            if (tid.isPresent()) {
                String task = "/proc/" + pid + "/task/" + tid.get();
                n.say("Thread demo-waiter (tid " + tid.get() + ") called condition.await. The kernel's view of it:");
                n.shell("sh", "-c", "grep State " + task + "/status; echo \"wchan: $(cat " + task + "/wchan)\"; echo \"syscall: $(cat " + task + "/syscall)\"");
                n.say("State S (sleeping), in futex(2) (system call " + Futex.syscallNumber() + "); its first argument is the address of");
                n.say("the condition word: 0x" + Long.toHexString(shared.address() + 64) + ". It uses no CPU until someone wakes that word.");
            }
            mutex.lock(PATIENCE);
            try {
                INT.setVolatile(shared, flag, 42);
                condition.signalAll();
            } finally {
                mutex.unlock();
            }
            n.say("We set the flag to 42 under the mutex and signalled: the waiter woke and read " + waiter.get(10, TimeUnit.SECONDS));
        }
    }

    /** Waits (up to 5 s) until the thread called {@code name} sleeps in futex(2) on {@code address}; returns its tid. */
    private static Optional<String> awaitFutexSleep(String name, long address) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                            String[] call = Files.readString(task.resolve("syscall")).strip().split(" ");
                            if (call.length > 1 && call[0].equals(Long.toString(Futex.syscallNumber()))
                                    && Long.parseUnsignedLong(call[1].substring(2), 16) == address) {
                                return Optional.of(task.getFileName().toString());
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // The thread ended, or /proc/.../syscall is not readable here.
                    }
                }
            }
            Thread.sleep(5); // a demo may look every few ms; a test would give up at a deadline too
        }
        return Optional.empty();
    }
}
