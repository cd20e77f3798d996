package ipclab.lab03;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.ProcessTree;
import ipclab.support.ScratchFolder;
import ipclab.support.Threads;
import ipclab.support.demo.Narrator;
import ipclab.support.demo.Wchan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Lab 03 live: FIFOs as the kernel sees them. Run it with {@code ./ipclab demo fifos}
 * ({@code --no-pause} runs straight through).
 */
public final class Demo {

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();
    private final Path dir;

    private Demo(Narrator n, Path dir) {
        this.n = n;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        try (ScratchFolder dir = ScratchFolder.create("ipclab-fifos-")) {
            new Demo(Narrator.fromArgs(args), dir.path()).run();
        }
    }

    private void run() throws Exception {
        Path fifo = dir.resolve("hello");
        aPipeWithAName(fifo);
        openingWaitsForTheOtherSide(fifo);
        nonBlockingOpens(fifo);
        Files.delete(fifo);
        theServer();
        n.step("Done");
        n.say("The demo's folder " + dir + " is removed now; child processes still running: "
                + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    // ---- Step 1: make a FIFO ----------------------------------------------------------------------

    private void aPipeWithAName(Path fifo) throws IOException {
        n.step("mkfifo: a pipe with a name");
        Fifo.create(fifo, Fifo.OWNER_ONLY);
        n.say("Fifo.create made " + fifo + " with mkfifo(3), mode 0600. The 'p' at the start of ls -l is its type:");
        n.shell("ls", "-l", dir.toString());
        n.say("It holds no bytes on disk and never will: the name only leads to a pipe in the kernel.");
        n.shell("stat", "-c", "%n: %F, %s bytes, inode %i", fifo.toString());
    }

    // ---- Step 2: opening waits --------------------------------------------------------------------

    private void openingWaitsForTheOtherSide(Path fifo) throws Exception {
        n.step("Opening for reading waits until somebody opens for writing");
        CompletableFuture<String> tid = new CompletableFuture<>();
        CompletableFuture<Integer> opening = Threads.onNewThread("demo-worker", () -> {
            tid.complete(threadId());
            return Fifo.openForReading(fifo);
        });
        String wchan = Wchan.await(Wchan.ofThread(pid, tid.get(5, TimeUnit.SECONDS)), "wait_for_partner");
        n.say("A thread called Fifo.openForReading; open(2) has not returned. The kernel says where the thread sleeps:");
        n.shell("cat", "/proc/" + pid + "/task/" + tid.get() + "/wchan");
        n.say((wchan.isEmpty() ? "" : "(" + wchan + ": ") + "fifo_open waits there until the pipe gets a writer.)"
                + " Open finished: " + opening.isDone());
        n.say("Now an unrelated program, a shell, opens the same name for writing:");
        Process shell = new ProcessBuilder("sh", "-c", "echo \"hello from sh, pid $$\" > " + fifo).start();
        int fd = opening.get(10, TimeUnit.SECONDS);
        try {
            n.say("Both opens completed together; our thread got fd " + fd + ", the FIFO by its name:");
            n.shell("ls", "-l", "/proc/" + pid + "/fd/" + fd);
            byte[] buffer = new byte[200];
            StringBuilder text = new StringBuilder();
            int got;
            while ((got = Libc.read(fd, buffer, 0, buffer.length)) > 0) {
                text.append(new String(buffer, 0, got, StandardCharsets.UTF_8));
            }
            n.say("read(2) until 0: \"" + text.toString().strip() + "\"; then end of file, as the shell closed its end"
                    + " (it exited " + shell.waitFor() + ").");
        } finally {
            Libc.close(fd);
            ProcessTree.end(shell);
        }
    }

    // ---- Step 3: non-blocking opens -------------------------------------------------------------

    private void nonBlockingOpens(Path fifo) throws Exception {
        n.step("O_NONBLOCK: ENXIO for a writer without a reader; EAGAIN or EOF for a reader");
        try {
            Libc.close(Fifo.openForWritingNonBlocking(fifo));
            n.say("(unexpected: the non-blocking open for writing succeeded)");
        } catch (ErrnoException e) {
            n.say("Nobody reads " + fifo.getFileName() + ". Fifo.openForWritingNonBlocking:");
            n.say("  " + e.getMessage());
        }
        int reader = Fifo.openForReadingNonBlocking(fifo);
        try {
            n.say("Fifo.openForReadingNonBlocking returns at once: fd " + reader + ". Its flags include O_NONBLOCK (04000):");
            n.shell("grep", "flags", "/proc/" + pid + "/fdinfo/" + reader);
            n.say("tryRead with no writer at all:      " + FifoIo.tryRead(reader, 100) + "   (read(2) returned 0)");
            int writer = Fifo.openForWritingNonBlocking(fifo);
            try {
                n.say("With a reader there, the non-blocking open for writing works: fd " + writer + ".");
                n.say("tryRead, a writer, nothing written: " + FifoIo.tryRead(reader, 100) + "   (EAGAIN)");
                FifoIo.writeRecord(writer, "ping".getBytes(StandardCharsets.UTF_8));
                n.say("tryRead after writing \"ping\":       " + FifoIo.tryRead(reader, 100));
            } finally {
                Libc.close(writer);
            }
            n.say("tryRead after the writer closed:    " + FifoIo.tryRead(reader, 100) + "   (no writer left: end of file)");
        } finally {
            Libc.close(reader);
        }
    }

    // ---- Steps 5 to 8: the sequence-number server -------------------------------------------------

    private void theServer() throws Exception {
        n.step("A sequence-number server on a well-known FIFO");
        Path requestFifo = dir.resolve("seqnum");
        try (ChildProcess server = ChildJvm.main(SequenceServer.class).args(requestFifo.toString(), "1000").start()) {
            BlockingQueue<String> log = linesOf(server);
            String ready = log.poll(20, TimeUnit.SECONDS);
            n.say("The server (pid " + server.pid() + ") said: " + ready);
            n.say("It holds its request FIFO twice, for reading and for writing, so it never sees end of file:");
            n.shell("sh", "-c", "ls -l /proc/" + server.pid() + "/fd | grep seqnum");
            n.shell("sh", "-c", "cd /proc/" + server.pid() + "/fdinfo && for fd in $(ls -l ../fd | awk '/seqnum/ {print $9}'); do"
                    + " echo \"fd $fd: $(grep flags $fd)\"; done");
            n.say("In octal: 02000000 O_CLOEXEC, 0100000 O_LARGEFILE, 04000 O_NONBLOCK, 01 O_WRONLY. The read end is blocking,");
            n.say("so the server sleeps in read(2) between clients; its own write end kept O_NONBLOCK from its open.");

            n.step("Three clients at once, each with a reply FIFO of its own");
            List<ChildProcess> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(ChildJvm.main(SequenceClient.class).args(requestFifo.toString(), "3", "2").start());
                }
                for (ChildProcess client : clients) {
                    String got = new String(client.process().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    n.say("client pid " + client.pid() + " asked twice for 3 numbers and got blocks starting at "
                            + String.join(", ", got.strip().lines().toList()) + " (exit " + client.waitFor(Duration.ofSeconds(10)) + ")");
                }
            } finally {
                clients.forEach(ChildProcess::close);
            }
            n.say("The server's log:");
            show(log, 6);

            n.step("A client that dies mid-request");
            n.say("kill -STOP " + server.pid() + ": the server is frozen, so what follows happens before it reads anything.");
            Libc.kill(server.pid(), Libc.SIGSTOP);
            try (ChildProcess vanishing = ChildJvm.main(VanishingClient.class).args(requestFifo.toString()).start()) {
                n.say("A client (pid " + vanishing.pid() + ") opens its reply FIFO, sends its request, and dies before reading"
                        + " (exit " + vanishing.waitFor(Duration.ofSeconds(20)) + "). Its reply FIFO stays behind, with no reader:");
            } finally {
                Libc.kill(server.pid(), Libc.SIGCONT);
            }
            n.shell("ls", "-l", dir.toString());
            n.say("kill -CONT: the server reads the request; its non-blocking open of that reply FIFO fails, and it goes on:");
            show(log, 1);
            long next = SequenceClient.request(requestFifo, 1, Duration.ofSeconds(10));
            n.say("The next client (this JVM) gets " + next + ": the dead client's numbers were never used up.");
            show(log, 1);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path p : leftovers.filter(p -> p.getFileName().toString().contains(".reply-")).toList()) {
                    Files.delete(p); // the dead client cannot remove its own any more
                }
            }

            n.step("SIGTERM: the shutdown hook removes the FIFO");
            Libc.kill(server.pid(), Libc.SIGTERM);
            int status = server.waitFor(Duration.ofSeconds(20));
            n.say("kill -TERM " + server.pid() + ": it exited with status " + status + " (128 + 15), after its shutdown hook"
                    + " stopped the serving loop and removed " + requestFifo.getFileName() + ":");
            n.shell("ls", "-la", dir.toString());
        }
    }

    /**
     * A client that sends its request and dies at once, without reading the reply: what the server
     * must survive. {@code VanishingClient REQUEST_FIFO}
     */
    public static final class VanishingClient {

        private VanishingClient() {
        }

        public static void main(String[] args) throws IOException {
            Path requestFifo = Path.of(args[0]);
            Request request = new Request(ProcessHandle.current().pid(), 5, SequenceClient.replyFifoPath(requestFifo));
            Fifo.create(request.replyFifo(), Fifo.OWNER_ONLY);
            Fifo.openForReadingNonBlocking(request.replyFifo());
            int out = Fifo.openForWriting(requestFifo);
            FifoIo.writeRecord(out, request.encode());
            Runtime.getRuntime().halt(1); // no cleanup, no reply read: as if it crashed here
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Every line the process prints, as it prints them. */
    private static BlockingQueue<String> linesOf(ChildProcess child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("server-log").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The server has gone; so has its log.
            }
        });
        return lines;
    }

    /** Shows the next {@code count} log lines, waiting up to 10 s for each. */
    private void show(BlockingQueue<String> log, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            String line = log.poll(10, TimeUnit.SECONDS);
            n.say("  server: " + (line == null ? "(nothing yet)" : line));
        }
    }

    /** This thread's id as the kernel knows it (/proc/thread-self is a link to PID/task/TID). */
    private static String threadId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }
}
