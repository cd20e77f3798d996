package ipclab.lab02;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.ProcessTree;
import ipclab.support.Threads;
import ipclab.support.demo.Narrator;
import ipclab.support.demo.Wchan;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lab 02 live: pipes as the kernel sees them. Run it with {@code ./ipclab demo pipes}
 * ({@code --no-pause} runs straight through).
 */
public final class Demo {

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();

    private Demo(Narrator n) {
        this.n = n;
    }

    public static void main(String[] args) throws Exception {
        new Demo(Narrator.fromArgs(args)).run();
    }

    private void run() throws Exception {
        List<String> pipesAtStart = openPipes();
        twoDescriptorsOnePipe();
        eofNeedsEveryWriteEnd();
        aChildKeepsTheWriteEndToo();
        epipe();
        capacity();
        atomicWrites();
        theDeadlock();
        pipelineByHand();
        pipelineApis();
        messageChannel();
        n.step("Done");
        List<String> left = openPipes();
        left.removeAll(pipesAtStart);
        n.say("Pipes this demo opened and has not closed: " + (left.isEmpty() ? "none" : left));
        n.say("Child processes still running: " + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    // ---- Step 1: open a pipe ---------------------------------------------------------------------

    private void twoDescriptorsOnePipe() throws IOException {
        n.step("A pipe is one kernel buffer and two descriptors");
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            n.say("pipe2(O_CLOEXEC) gave read end fd " + pipe.readFd() + " and write end fd " + pipe.writeFd() + ".");
            n.say("Both name the same pipe inode; the kernel shows it as pipe:[inode]:");
            n.shell("ls", "-l", "/proc/" + pid + "/fd/" + pipe.readFd(), "/proc/" + pid + "/fd/" + pipe.writeFd());
            n.say("Each end is an open file description of its own: read-only (flags 02000000 = O_CLOEXEC | O_RDONLY)");
            n.shell("cat", "/proc/" + pid + "/fdinfo/" + pipe.readFd());
            n.say("... and write-only (flags 02000001 = O_CLOEXEC | O_WRONLY):");
            n.shell("cat", "/proc/" + pid + "/fdinfo/" + pipe.writeFd());
            PipeIo.writeAll(pipe.writeFd(), "hello through the kernel\n".getBytes(StandardCharsets.UTF_8));
            byte[] buffer = new byte[100];
            int got = Libc.read(pipe.readFd(), buffer, 0, buffer.length);
            n.say("write(2) to fd " + pipe.writeFd() + ", read(2) from fd " + pipe.readFd() + ": \""
                    + new String(buffer, 0, got, StandardCharsets.UTF_8).strip() + "\"");
        }
    }

    // ---- Step 2: end of file ---------------------------------------------------------------------

    private void eofNeedsEveryWriteEnd() throws Exception {
        n.step("End of file needs every write end closed");
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            int original = pipe.writeFd();
            int copy = Libc.dup(original);
            try {
                n.say("dup(" + original + ") = " + copy + ": a second descriptor for the same write end.");
                PipeIo.writeAll(original, "some bytes\n".getBytes(StandardCharsets.UTF_8));
                pipe.closeWriteEnd();
                n.say("Wrote \"some bytes\" and closed fd " + original + "; fd " + copy + " is still open.");
                n.say("poll(read end): " + Libc.pollEventNames(Libc.poll(pipe.readFd(), Libc.POLLIN, 0))
                        + "   (data to read, but no POLLHUP: a writer still exists)");
                CompletableFuture<byte[]> reader = Threads.onNewThread("demo-worker", () -> PipeIo.readToEof(pipe.readFd()));
                n.say("A reader thread calls readToEof: it reads the bytes, then read(2) waits for more...");
                try {
                    reader.get(300, TimeUnit.MILLISECONDS);
                    n.say("(unexpected: the reader finished)");
                } catch (TimeoutException stillWaiting) {
                    n.say("... and is still waiting 300 ms later, in read(2), as long as fd " + copy + " is open.");
                }
                Libc.close(copy);
                copy = -1;
                byte[] all = reader.get(10, TimeUnit.SECONDS);
                n.say("Closed the dup, the last write end: read(2) returns 0, end of file.");
                n.say("readToEof got " + all.length + " bytes: \"" + new String(all, StandardCharsets.UTF_8).strip() + "\"");
                n.say("poll(read end) now: " + Libc.pollEventNames(Libc.poll(pipe.readFd(), Libc.POLLIN, 0)));
            } finally {
                if (copy >= 0) {
                    Libc.close(copy);
                }
            }
        }
    }

    private void aChildKeepsTheWriteEndToo() throws Exception {
        n.step("A child's write end, and the parent's forgotten one");
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            File writeEnd = new File("/proc/self/fd/" + pipe.writeFd());
            n.say("Start a shell with stdout redirected to " + writeEnd + ": the JDK opens that path here, which");
            n.say("gives a new open file description of the same pipe, and the child inherits it as its fd 1.");
            Process child = new ProcessBuilder("sh", "-c", "echo \"written by pid $$\"")
                    .redirectOutput(Redirect.to(writeEnd)).redirectError(Redirect.INHERIT).start();
            try {
                int status = child.waitFor();
                n.say("The child (pid " + child.pid() + ") has written its line and exited with status " + status + ".");
                n.say("poll(read end): " + Libc.pollEventNames(Libc.poll(pipe.readFd(), Libc.POLLIN, 0))
                        + "   (no POLLHUP: this process still holds write end fd " + pipe.writeFd() + ")");
                n.say("readToEof would take the line and then wait for ever. Close our copy:");
                pipe.closeWriteEnd();
                n.say("poll(read end): " + Libc.pollEventNames(Libc.poll(pipe.readFd(), Libc.POLLIN, 0)));
                n.say("readToEof: \"" + new String(PipeIo.readToEof(pipe.readFd()), StandardCharsets.UTF_8).strip() + "\"");
            } finally {
                ProcessTree.end(child);
            }
        }
    }

    // ---- Step 3: EPIPE ---------------------------------------------------------------------------

    private void epipe() throws IOException {
        n.step("Writing with no reader: EPIPE (and SIGPIPE)");
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            pipe.closeReadEnd();
            n.say("Closed the only read end, then writeAll to the write end:");
            try {
                PipeIo.writeAll(pipe.writeFd(), new byte[] {1, 2, 3});
                n.say("(unexpected: the write succeeded)");
            } catch (ErrnoException e) {
                n.say(e.getMessage());
            }
        }
        n.say("The kernel also sends SIGPIPE, which kills a process by default; the JVM ignores it, so Java");
        n.say("sees the EPIPE error instead. A C program such as yes(1) simply dies (status 128 + 13 = 141):");
        n.shell("sh", "-c", "(yes; echo \"yes ended with status $?\" >&2) | head -n 2");
    }

    // ---- Step 4: capacity ------------------------------------------------------------------------

    private void capacity() throws IOException {
        n.step("Capacity: 16 pages, until a writer must wait");
        try (Pipe pipe = Pipe.open(Libc.O_NONBLOCK | Libc.O_CLOEXEC)) {
            n.say("fcntl(F_GETPIPE_SZ) says " + PipeCapacity.reported(pipe.writeFd()) + " bytes.");
            int filled = PipeCapacity.fillUntilFull(pipe.writeFd());
            n.say("A non-blocking pipe took " + filled + " bytes; the next write(2) fails:");
            try {
                Libc.write(pipe.writeFd(), new byte[1], 0, 1);
            } catch (ErrnoException e) {
                n.say(e.getMessage());
            }
            n.say("poll(write end): " + Libc.pollEventNames(Libc.poll(pipe.writeFd(), Libc.POLLOUT, 0)) + "   (no POLLOUT: full)");
            try {
                PipeCapacity.resize(pipe.writeFd(), 4096);
            } catch (ErrnoException e) {
                n.say("Shrinking a full pipe: " + e.getMessage());
            }
        }
        try (Pipe pipe = Pipe.open(Libc.O_NONBLOCK | Libc.O_CLOEXEC)) {
            int size = PipeCapacity.resize(pipe.writeFd(), 100_000);
            n.say("fcntl(F_SETPIPE_SZ, 100000) on a new pipe returns " + size
                    + ": rounded up to a power of two pages. Filling it takes " + PipeCapacity.fillUntilFull(pipe.writeFd()) + ".");
        }
        n.say("The most an unprivileged process may ask for:");
        n.shell("cat", "/proc/sys/fs/pipe-max-size");
    }

    // ---- Step 5: atomic records ------------------------------------------------------------------

    private void atomicWrites() throws Exception {
        n.step("PIPE_BUF: small writes never interleave, large ones may");
        int records = 256;
        byte[] smallStream = writersRace(Libc.PIPE_BUF, records, true);
        n.say("Two threads, " + records + " writeRecord calls of " + Libc.PIPE_BUF + " bytes each (one filled with 'A', one with 'B'):");
        n.say("  " + mixedBlocks(smallStream, Libc.PIPE_BUF) + " of " + smallStream.length / Libc.PIPE_BUF
                + " records the reader got are mixed; " + runs(smallStream) + " runs of one letter");
        int big = 256 * 1024;
        byte[] bigStream = writersRace(big, 8, false);
        n.say("The same with 8 writes of " + big / 1024 + " KiB each (more than the pipe holds):");
        n.say("  " + mixedBlocks(bigStream, big) + " of " + bigStream.length / big + " write-sized blocks are mixed; "
                + runs(bigStream) + " runs of one letter (16 if no write was split)");
        n.say("A write larger than PIPE_BUF goes in while there is room; when the pipe is full the writer sleeps,");
        n.say("and the other writer may add its bytes before it wakes. Nothing promises they stay together.");
    }

    /** Two threads write {@code count} writes of {@code size} bytes ('A' and 'B') to one pipe; returns what a reader got. */
    private static byte[] writersRace(int size, int count, boolean asRecords) throws Exception {
        try (Pipe pipe = Pipe.open(Libc.O_CLOEXEC)) {
            List<CompletableFuture<Object>> writers = new ArrayList<>();
            for (byte letter : new byte[] {'A', 'B'}) {
                byte[] data = new byte[size];
                Arrays.fill(data, letter);
                writers.add(Threads.onNewThread("demo-worker", () -> {
                    for (int i = 0; i < count; i++) {
                        if (asRecords) {
                            PipeIo.writeRecord(pipe.writeFd(), data);
                        } else {
                            PipeIo.writeAll(pipe.writeFd(), data);
                        }
                    }
                    return null;
                }));
            }
            CompletableFuture<byte[]> reader = Threads.onNewThread("demo-worker", () -> PipeIo.readToEof(pipe.readFd()));
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            pipe.closeWriteEnd();
            return reader.get(30, TimeUnit.SECONDS);
        }
    }

    private static int mixedBlocks(byte[] stream, int size) {
        int mixed = 0;
        for (int start = 0; start + size <= stream.length; start += size) {
            for (int i = start + 1; i < start + size; i++) {
                if (stream[i] != stream[start]) {
                    mixed++;
                    break;
                }
            }
        }
        return mixed;
    }

    private static int runs(byte[] stream) {
        int runs = stream.length == 0 ? 0 : 1;
        for (int i = 1; i < stream.length; i++) {
            if (stream[i] != stream[i - 1]) {
                runs++;
            }
        }
        return runs;
    }

    // ---- Step 6: the pipeline deadlock -----------------------------------------------------------

    private void theDeadlock() throws Exception {
        n.step("The pipeline deadlock, and how feeding on another thread avoids it");
        byte[] eightMiB = new byte[8 * 1024 * 1024];
        new Random(2).nextBytes(eightMiB);
        Process cat = new ProcessBuilder("cat").start();
        CompletableFuture<Object> naiveWriter = Threads.onNewThread("demo-worker", () -> {
            try {
                cat.getOutputStream().write(eightMiB); // and only then read: the naive way
                cat.getOutputStream().close();
            } catch (IOException e) {
                // Expected: we kill cat below, and the blocked write fails with "Broken pipe".
            }
            return null;
        });
        try {
            n.say("Writing 8 MiB to cat (pid " + cat.pid() + ") before reading any of its output...");
            String where = Wchan.await(Wchan.ofProcess(cat.pid()), "pipe_write");
            n.say("cat sleeps in " + where + ": its stdout pipe is full, because nobody reads it;");
            n.say("our writer is blocked too (finished: " + naiveWriter.isDone() + "): cat's stdin pipe is full.");
            n.shell("grep", "State", "/proc/" + cat.pid() + "/status");
            n.say("Nothing will ever move again. Kill cat to end it.");
        } finally {
            cat.destroyForcibly();
            cat.waitFor();
            naiveWriter.get(10, TimeUnit.SECONDS); // its write fails with EPIPE now; only then close the streams
            ProcessTree.end(cat);
        }
        Process cat2 = new ProcessBuilder("cat").start();
        try {
            long start = System.nanoTime();
            byte[] out = ChildIo.feedAndCollect(cat2, eightMiB);
            n.say("ChildIo.feedAndCollect writes on its own thread while this one reads: "
                    + out.length + " bytes back, identical: " + Arrays.equals(out, eightMiB) + ", in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms. cat exited " + cat2.waitFor());
        } finally {
            ProcessTree.end(cat2);
        }
    }

    // ---- Step 7: pipelines -----------------------------------------------------------------------

    private void pipelineByHand() throws Exception {
        n.step("A pipeline by hand: us → cat → tr a-z A-Z → us");
        try (Pipe input = Pipe.open(Libc.O_CLOEXEC); Pipe middle = Pipe.open(Libc.O_CLOEXEC)) {
            List<Process> processes = new ArrayList<>();
            try {
                processes.add(new ProcessBuilder("cat")
                        .redirectError(Redirect.INHERIT)
                        .redirectInput(Redirect.from(new File("/proc/self/fd/" + input.readFd())))
                        .redirectOutput(Redirect.to(new File("/proc/self/fd/" + middle.writeFd())))
                        .start());
                processes.add(new ProcessBuilder("tr", "a-z", "A-Z")
                        .redirectError(Redirect.INHERIT)
                        .redirectInput(Redirect.from(new File("/proc/self/fd/" + middle.readFd())))
                        .start());
                Process cat = processes.get(0);
                Process tr = processes.get(1);
                input.closeReadEnd();
                middle.closeReadEnd();
                middle.closeWriteEnd();
                n.say("cat (pid " + cat.pid() + ") reads a pipe whose write end only we hold (fd " + input.writeFd()
                        + "), so it waits, and so does tr (pid " + tr.pid() + ").");
                n.say("cat's stdin and stdout are two different pipes:");
                n.shell("ls", "-l", "/proc/" + cat.pid() + "/fd");
                n.say("tr's stdin is the pipe cat writes to (same inode); its stdout is a pipe back to this JVM:");
                n.shell("ls", "-l", "/proc/" + tr.pid() + "/fd");
                Wchan.await(Wchan.ofProcess(cat.pid()), "pipe_read");
                Wchan.await(Wchan.ofProcess(tr.pid()), "pipe_read");
                n.say("Where each of them waits (wchan: the kernel function it sleeps in):");
                n.shell("sh", "-c", "for p in " + cat.pid() + " " + tr.pid() + "; do echo \"$p $(cat /proc/$p/comm): $(cat /proc/$p/wchan)\"; done");
                PipeIo.writeAll(input.writeFd(), "hello, pipeline\n".getBytes(StandardCharsets.UTF_8));
                input.closeWriteEnd();
                n.say("Wrote \"hello, pipeline\" and closed our write end: EOF flows down the pipeline.");
                byte[] output = tr.getInputStream().readAllBytes();
                n.say("tr wrote: \"" + new String(output, StandardCharsets.UTF_8).strip() + "\"; cat exited "
                        + cat.waitFor() + ", tr exited " + tr.waitFor());
            } finally {
                for (Process p : processes) {
                    ProcessTree.end(p);
                }
            }
        }
    }

    private void pipelineApis() throws Exception {
        n.step("The same, as library calls");
        List<List<String>> commands = List.of(List.of("printf", "b\\na\\nc\\n"), List.of("sort"), List.of("tr", "a-z", "A-Z"));
        n.say("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z");
        n.say("  Pipelines.startPipeline: " + Arrays.toString(
                new String(Pipelines.startPipeline(commands, new byte[0]), StandardCharsets.UTF_8).lines().toArray()));
        n.say("  Pipelines.handWired:     " + Arrays.toString(
                new String(Pipelines.handWired(commands, new byte[0]), StandardCharsets.UTF_8).lines().toArray()));
    }

    // ---- Step 8: a framed message channel --------------------------------------------------------

    private void messageChannel() throws Exception {
        n.step("Framed messages to a child JVM over its stdin and stdout");
        try (MessageChannel channel = MessageChannel.start(EchoChild.class)) {
            n.say("EchoChild runs in pid " + channel.pid() + "; its fd 0 and 1 are pipes to us:");
            n.shell("sh", "-c", "ls -l /proc/" + channel.pid() + "/fd | grep -E ' [01] -> '");
            byte[] everyByte = new byte[1024 * 1024];
            for (int i = 0; i < everyByte.length; i++) {
                everyByte[i] = (byte) i;
            }
            channel.send("hello".getBytes(StandardCharsets.UTF_8));
            n.say("sent \"hello\" (a 9-byte frame: 00 00 00 05 'h' 'e' 'l' 'l' 'o'), got back \""
                    + new String(channel.receive(), StandardCharsets.UTF_8) + "\"");
            channel.send(everyByte);
            byte[] back = channel.receive();
            n.say("sent 1 MiB holding every byte value 0..255, got back " + back.length + " bytes, identical: "
                    + Arrays.equals(back, everyByte));
            n.say("Closing the child's stdin: it reads end of file between frames and exits with status "
                    + channel.finish(Duration.ofSeconds(10)) + ".");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** This process's descriptors that are pipes, from /proc/self/fd. */
    private static List<String> openPipes() throws IOException {
        List<String> pipes = new ArrayList<>();
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path entry : entries.toList()) {
                try {
                    String target = Files.readSymbolicLink(entry).toString();
                    if (target.startsWith("pipe:")) {
                        pipes.add(entry.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // The listing's own descriptor, closed by now.
                }
            }
        }
        return pipes;
    }
}
