package ipclab.lab03;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * A client of the {@link SequenceServer}. It knows nothing of the server but the path of its
 * request FIFO: no descriptor is handed over, the two processes are unrelated.
 */
public final class SequenceClient {

    private SequenceClient() {
    }

    /**
     * Asks the server behind {@code requestFifo} for {@code count} numbers, in this order:
     * <ol>
     *   <li>make a reply FIFO of its own ({@link #replyFifoPath});</li>
     *   <li>open it for reading, non-blocking: the server's non-blocking open for writing needs a reader
     *       to be there already, or it gets {@code ENXIO} and drops the request;</li>
     *   <li>open the request FIFO for writing, non-blocking, so that a missing server is an {@code ENXIO}
     *       at once, not a wait for ever; make that descriptor blocking and write the {@link Request}
     *       with one write(2) (at most PIPE_BUF bytes: it cannot interleave with other clients');</li>
     *   <li>wait for the reply with poll(2) and the deadline, read it, and parse the {@link Reply};</li>
     *   <li>in every case, also on failure: close the reply FIFO and remove it.</li>
     * </ol>
     *
     * @return the first of the numbers now reserved for this client
     * @throws ErrnoException   {@code ENXIO} when no server has the request FIFO open;
     *                          {@code ENOENT} when there is no request FIFO at that path
     * @throws TimeoutException when no reply arrives by the deadline
     * @throws IOException      when the server closes the reply FIFO without a whole reply
     */
    public static long request(Path requestFifo, int count, Duration timeout) throws IOException, TimeoutException {
        Request request = new Request(ProcessHandle.current().pid(), count, replyFifoPath(requestFifo));
        Fifo.create(request.replyFifo(), Fifo.OWNER_ONLY);
        try {
            int replyFd = Fifo.openForReadingNonBlocking(request.replyFifo());
            try {
                send(requestFifo, request);
                return awaitReply(replyFd, timeout).first();
            } finally {
                Libc.close(replyFd);
            }
        } finally {
            Files.deleteIfExists(request.replyFifo());
        }
    }

    private static void send(Path requestFifo, Request request) throws ErrnoException {
        int fd = Fifo.openForWritingNonBlocking(requestFifo);
        try {
            // Blocking from here: if the FIFO is full of other clients' requests, wait for room
            // rather than fail with EAGAIN.
            Fifo.clearNonBlocking(fd);
            FifoIo.writeRecord(fd, request.encode());
        } finally {
            Libc.close(fd);
        }
    }

    /**
     * Waits for one reply line. The reply FIFO is non-blocking, so read(2) would return 0 (end of
     * file) as long as the server has not opened it yet: poll(2) is how to wait. A reader opened
     * before any writer gets no POLLHUP until a writer has come and gone, so poll sleeps until the
     * server's reply (POLLIN) or the deadline.
     */
    private static Reply awaitReply(int replyFd, Duration timeout) throws IOException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        LineBuffer lines = new LineBuffer();
        while (true) {
            long leftMillis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            if (Libc.poll(replyFd, Libc.POLLIN, (int) Math.min(leftMillis, Integer.MAX_VALUE)) == 0) {
                throw new TimeoutException("no reply within " + timeout
                        + ": is the server running, and reading its request FIFO?");
            }
            switch (FifoIo.tryRead(replyFd, 128)) {
                case ReadResult.Data(byte[] bytes) -> {
                    var complete = lines.add(bytes, bytes.length);
                    if (!complete.isEmpty()) {
                        return Reply.decode(complete.getFirst());
                    }
                }
                case ReadResult.NothingYet() -> {
                    // poll said POLLIN, but another reader took it: not possible with our private FIFO; poll again.
                }
                case ReadResult.EndOfFile() -> throw new IOException("the server closed the reply FIFO without a whole reply"
                        + (lines.hasPartialLine() ? " (it wrote part of a line)" : " (it wrote nothing)"));
            }
        }
    }

    /**
     * A fresh reply FIFO path beside the request FIFO: {@code <request FIFO>.reply-<pid>-<random>},
     * unique to this request.
     */
    public static Path replyFifoPath(Path requestFifo) {
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        return requestFifo.toAbsolutePath().resolveSibling(
                requestFifo.getFileName() + ".reply-" + ProcessHandle.current().pid() + "-" + random);
    }

    /**
     * {@code SequenceClient REQUEST_FIFO [COUNT [ROUNDS]]}: asks for COUNT numbers (default 1),
     * ROUNDS times (default 1), and prints the first number of each answer on a line of its own.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SequenceClient REQUEST_FIFO [COUNT [ROUNDS]]");
            System.exit(2);
        }
        Path requestFifo = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        for (int i = 0; i < rounds; i++) {
            System.out.println(request(requestFifo, count, Duration.ofSeconds(10)));
        }
        System.out.flush();
    }
}
