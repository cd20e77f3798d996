package ipclab.lab03;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A sequence-number server on a well-known FIFO. Clients write {@link Request}s into the one
 * request FIFO whose path everybody knows; the server answers each on the client's own reply FIFO
 * with the first of {@code count} numbers nobody else gets.
 *
 * <pre>
 *  client 4711 ──REQ 4711 3 /tmp/d/reply-4711──┐
 *  client 4712 ──REQ 4712 1 /tmp/d/reply-4712──┼──► [ /tmp/d/seqnum ] ──► server ──► 1000 ──► [ reply-4711 ] ──► client 4711
 *                                              ┘                            └──────► 1003 ──► [ reply-4712 ] ──► client 4712
 * </pre>
 *
 * <p>The server holds the request FIFO open twice: for reading (the requests) and for writing
 * ({@link #keepOpenFd}), although it never writes a request. That second descriptor is why it never
 * sees end of file between clients: read(2) returns 0 only when no writer is left, and the server
 * itself always is one.
 *
 * <p>One thread calls {@link #serve}; {@link #stop} may be called from any other thread;
 * {@link #close} only once {@code serve} has returned (or was never called).
 */
public final class SequenceServer implements AutoCloseable {

    /** What {@link #main} prints on stdout, followed by a space and the request FIFO's path, once clients may come. */
    public static final String READY = "ready";

    private final Path requestFifo;
    /** The request FIFO's read end, blocking: requests arrive here. */
    private final int readFd;
    /** The server's own write end of the request FIFO: it keeps a writer in existence, so read(2) never sees EOF. */
    private final int keepOpenFd;
    private long next;
    private volatile boolean stopping;
    private final AtomicBoolean open = new AtomicBoolean(true);

    SequenceServer(Path requestFifo, int readFd, int keepOpenFd, long firstNumber) {
        this.requestFifo = requestFifo;
        this.readFd = readFd;
        this.keepOpenFd = keepOpenFd;
        this.next = firstNumber;
    }

    /**
     * Makes the request FIFO and opens it: first for reading, without waiting for a writer
     * ({@code O_NONBLOCK}); then for writing (this succeeds at once, since a reader now exists);
     * then makes the read end blocking, so that {@link #serve} sleeps in read(2) while no request is there.
     *
     * @param firstNumber the first number to hand out
     * @throws ErrnoException {@code EEXIST} when something already has that name (another server?)
     */
    public static SequenceServer create(Path requestFifo, long firstNumber) throws ErrnoException {
        Fifo.create(requestFifo, Fifo.OWNER_ONLY);
        int readFd = -1;
        int keepOpenFd = -1;
        try {
            readFd = Fifo.openForReadingNonBlocking(requestFifo);
            keepOpenFd = Fifo.openForWritingNonBlocking(requestFifo);
            Fifo.clearNonBlocking(readFd);
            return new SequenceServer(requestFifo, readFd, keepOpenFd, firstNumber);
        } catch (ErrnoException | RuntimeException e) {
            // Leave nothing behind: a half-made server would hold the name for ever.
            for (int fd : new int[] {keepOpenFd, readFd}) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
            remove(requestFifo);
            throw e;
        }
    }

    /** The well-known path clients write their requests to. */
    public Path requestFifo() {
        return requestFifo;
    }

    /** The request FIFO's read end (for tests and the demo). */
    int readFd() {
        return readFd;
    }

    /** The server's own write end of the request FIFO (for tests and the demo). */
    int keepOpenFd() {
        return keepOpenFd;
    }

    /**
     * Reads requests until {@link #stop} is called, answers each with {@link #deliver}, and reports
     * what happened to every line to {@code events}. Blank lines are skipped silently (stop() writes
     * one to wake this loop); lines that are not requests are reported as {@link ServerEvent.Malformed}.
     *
     * @throws IllegalStateException when read(2) reports end of file, which cannot happen while this
     *                               server holds its own write end
     */
    public void serve(Consumer<? super ServerEvent> events) throws ErrnoException {
        LineBuffer lines = new LineBuffer();
        byte[] chunk = new byte[Libc.PIPE_BUF];
        while (!stopping) {
            int n = Libc.read(readFd, chunk, 0, chunk.length);
            if (n == 0) {
                throw new IllegalStateException("read(fd " + readFd + ") of the request FIFO returned end of file,"
                        + " but this server holds a write end (fd " + keepOpenFd + ") of it: was that closed?");
            }
            for (String line : lines.add(chunk, n)) {
                if (line.isBlank()) {
                    continue;
                }
                ServerEvent event;
                try {
                    event = deliver(Request.decode(line));
                } catch (IllegalArgumentException e) {
                    event = new ServerEvent.Malformed(line, e.getMessage());
                }
                events.accept(event);
            }
        }
    }

    /**
     * Answers one request: opens its reply FIFO with {@code O_WRONLY | O_NONBLOCK}, writes the
     * {@link Reply} with one write(2), closes it, and only then counts the numbers as used.
     * Nothing here may wait for a client or fail the server:
     * <ul>
     *   <li>a reply path that is not a FIFO (a regular file, say) is never opened: the server would write into it;</li>
     *   <li>{@code ENXIO} from the open: nobody has the reply FIFO open for reading: the client is gone;</li>
     *   <li>{@code ENOENT}: the reply FIFO has been removed;</li>
     *   <li>{@code EPIPE} from the write: the client closed it between our open and our write
     *       (the JVM ignores SIGPIPE, which would otherwise kill the server);</li>
     *   <li>{@code EAGAIN}: its FIFO is full: a misbehaving client that does not read.</li>
     * </ul>
     * Each becomes a {@link ServerEvent.Dropped}, and the numbers stay free for the next client.
     */
    ServerEvent deliver(Request request) {
        Path reply = request.replyFifo();
        if (Files.exists(reply) && !Fifo.isFifo(reply)) {
            return new ServerEvent.Dropped(request, "the reply path is not a FIFO; it was not opened");
        }
        long first = next;
        try {
            int fd = Fifo.openForWritingNonBlocking(reply);
            try {
                FifoIo.writeRecord(fd, new Reply(first).encode());
            } finally {
                Libc.close(fd);
            }
        } catch (ErrnoException e) {
            return new ServerEvent.Dropped(request, e.getMessage());
        }
        next = first + request.count();
        return new ServerEvent.Served(request, first);
    }

    /**
     * Asks {@link #serve} to return. The serving thread may be asleep in read(2), so after setting
     * the flag this wakes it by writing one newline through the server's own write end: an empty
     * line, which serve() skips. One byte is atomic, so it never lands inside a client's request.
     */
    public void stop() throws ErrnoException {
        stopping = true;
        try {
            Libc.write(keepOpenFd, new byte[] {'\n'}, 0, 1);
        } catch (ErrnoException e) {
            // EAGAIN: the FIFO is full of requests, so serve() is not asleep and will see the flag.
            if (!e.is(Errno.EAGAIN)) {
                throw e;
            }
        }
    }

    /**
     * Closes both descriptors and removes the request FIFO, once; later calls do nothing. Removing
     * the name does not disturb a client that has it open already; new clients get {@code ENOENT}.
     */
    @Override
    public void close() throws ErrnoException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try {
            Libc.close(keepOpenFd);
            Libc.close(readFd);
        } finally {
            remove(requestFifo);
        }
    }

    /**
     * Runs a server: {@code SequenceServer REQUEST_FIFO [FIRST_NUMBER]}. It prints {@link #READY} and
     * the path once clients may come, then one line per {@link ServerEvent}, and runs until it is
     * stopped by a signal. A shutdown hook stops it and removes the request FIFO, so that SIGTERM
     * (or Ctrl-C) leaves no file behind. SIGKILL runs no hooks: then the FIFO stays.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SequenceServer REQUEST_FIFO [FIRST_NUMBER]");
            System.exit(2);
        }
        Path requestFifo = Path.of(args[0]).toAbsolutePath();
        long first = args.length > 1 ? Long.parseLong(args[1]) : 1;
        SequenceServer server = create(requestFifo, first);
        CountDownLatch served = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
                // Let serve() finish the request it is on before the descriptors go away under it.
                served.await(5, TimeUnit.SECONDS);
                server.close();
            } catch (ErrnoException | InterruptedException e) {
                System.err.println("SequenceServer: shutting down: " + e.getMessage());
                remove(requestFifo);
            }
        }, "sequence-server-shutdown"));
        System.out.println(READY + " " + requestFifo);
        System.out.flush();
        try {
            server.serve(event -> System.out.println(event.describe()));
        } finally {
            served.countDown();
        }
    }

    /** Removes the FIFO's name, if it is still there. */
    private static void remove(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path, e);
        }
    }
}
