package ipclab.lab10;

import ipclab.support.Libc;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process: the main class a {@link Cluster} forks. It connects its channel to the master,
 * learns the scheduling from the {@code setup} message, gets its connections the way that
 * scheduling says, and answers each one after the delay with {@link #answer()} and EOF.
 *
 * <p>It exits 0 after a graceful {@code disconnect} once its open connections are answered, and
 * {@link #MASTER_GONE_EXIT} when the channel closes under it (the master died).
 */
public final class ClusterWorker {

    /** The exit status of a worker whose master has gone away (its channel reached EOF). */
    public static final int MASTER_GONE_EXIT = 75;

    /** How often a shared-listener worker looks up from poll(2) to see whether it should stop. */
    private static final int POLL_MILLIS = 200;

    private final WorkerChannel channel;
    private final WorkerChannel.Message setup;
    private final WorkerChannel.Envelope setupEnvelope;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("worker-answers").factory());
    /** One party per open connection plus the worker itself: disconnect waits for the others. */
    private final Phaser open = new Phaser(1);
    private volatile boolean disconnecting;
    private volatile ServerSocketChannel ownListener;
    /** The thread that accepts on a listener (shared, reuseport); null for round-robin. */
    private volatile Thread acceptThread;

    private ClusterWorker(WorkerChannel channel, WorkerChannel.Envelope setupEnvelope) {
        this.channel = channel;
        this.setupEnvelope = setupEnvelope;
        this.setup = setupEnvelope.message();
    }

    public static void main(String[] args) throws Exception {
        WorkerChannel channel = WorkerChannel.connectFromEnvironment();
        WorkerChannel.Envelope first = channel.receive();
        if (!"setup".equals(first.message().act())) {
            throw new IOException("worker: the master's first message should be setup, not " + first.message().act());
        }
        System.exit(new ClusterWorker(channel, first).run());
    }

    /** The answer every client gets: the seed program's line, ending with a newline. */
    public static String answer() {
        return "Request handled by worker-" + ProcessHandle.current().pid() + "\n";
    }

    /** Serves until a graceful disconnect (returns 0) or the master's death (returns {@link #MASTER_GONE_EXIT}). */
    int run() throws Exception {
        switch (Scheduling.parse(setup.scheduling())) {
            case RR -> channel.send(WorkerChannel.Message.listening(setup.port()));
            case SHARED -> startSharedAccepts(setupEnvelope.handleFd());
            case REUSEPORT -> startOwnListener();
        }
        try {
            while (true) {
                WorkerChannel.Envelope envelope = channel.receive();
                switch (envelope.message().act()) {
                    case "newconn" -> handOver(envelope);
                    case "disconnect" -> {
                        stopAccepting();
                        // Finish what is open, then leave: the master sees disconnect, then exit 0.
                        // Only once the accept thread is gone is "open" complete: a connection it
                        // accepted a moment ago registers before we arrive, not after the phaser
                        // has advanced and the timers have shut down (the client would get nothing).
                        Thread acceptor = acceptThread;
                        if (acceptor != null) {
                            acceptor.join();
                        }
                        open.arriveAndAwaitAdvance();
                        timers.shutdown();
                        channel.close();
                        return 0;
                    }
                    default -> System.err.println("worker: unknown message " + envelope.message());
                }
            }
        } catch (EOFException | SocketException e) {
            // EOF, or ECONNRESET when the master died with bytes of ours it had not read yet (a Unix
            // socket closed with unread data resets its peer): either way, the master is gone.
            System.out.println("[worker " + ProcessHandle.current().pid() + "] the master is gone (channel closed): exiting");
            System.out.flush();
            return MASTER_GONE_EXIT;
        }
    }

    /** Round-robin: a connected socket from the master. Take it (ack) or, when leaving, refuse it. */
    private void handOver(WorkerChannel.Envelope envelope) throws IOException {
        int fd = envelope.handleFd();
        long seq = envelope.message().seq();
        if (disconnecting) {
            Libc.close(fd); // our copy only: the master keeps its own and gives it to another worker
            channel.send(WorkerChannel.Message.ack(seq, false));
            return;
        }
        open.register();
        channel.send(WorkerChannel.Message.ack(seq, true));
        answerLater(() -> {
            SocketCalls.writeAll(fd, answer().getBytes(StandardCharsets.UTF_8));
        }, () -> Libc.close(fd));
    }

    /** Shared listener: the master's listening socket came with setup; accept on it ourselves. */
    private void startSharedAccepts(int listenFd) throws IOException {
        // Non-blocking, so that a worker woken by poll but beaten to the connection by another
        // (accept4 gives EAGAIN) goes back to poll instead of sleeping in accept.
        SocketCalls.setNonBlocking(listenFd);
        channel.send(WorkerChannel.Message.listening(setup.port()));
        acceptThread = Thread.ofPlatform().daemon().name("worker-accept").start(() -> {
            try {
                while (!disconnecting) {
                    // Look again after poll: a disconnect may have come while we waited, and a
                    // connection we leave in the queue goes to a worker that still serves.
                    if (Libc.poll(listenFd, Libc.POLLIN, POLL_MILLIS) == 0 || disconnecting) {
                        continue;
                    }
                    int fd = SocketCalls.accept(listenFd);
                    if (fd >= 0) {
                        open.register();
                        answerLater(() -> SocketCalls.writeAll(fd, answer().getBytes(StandardCharsets.UTF_8)), () -> Libc.close(fd));
                    }
                }
            } catch (IOException e) {
                System.err.println("worker: accept on the shared listener failed: " + e.getMessage());
            } finally {
                closeQuietly(listenFd); // our copy; the master and the other workers keep theirs
            }
        });
    }

    /** SO_REUSEPORT: a listener of our own on the same port; the kernel spreads connections across them. */
    private void startOwnListener() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        listener.bind(new InetSocketAddress(setup.host(), setup.port()), 511);
        ownListener = listener;
        channel.send(WorkerChannel.Message.listening(setup.port()));
        acceptThread = Thread.ofPlatform().daemon().name("worker-accept").start(() -> {
            try {
                while (!disconnecting) {
                    SocketChannel client = listener.accept();
                    open.register();
                    answerLater(() -> {
                        ByteBuffer reply = ByteBuffer.wrap(answer().getBytes(StandardCharsets.UTF_8));
                        while (reply.hasRemaining()) {
                            client.write(reply);
                        }
                    }, client::close);
                }
            } catch (IOException e) {
                // closed by stopAccepting: a graceful disconnect
            }
        });
    }

    /** Stops taking new connections: round-robin refuses from now on; a listener copy is closed. */
    private void stopAccepting() throws IOException {
        disconnecting = true;
        ServerSocketChannel listener = ownListener;
        if (listener != null) {
            listener.close();
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (IOException e) {
            System.err.println("worker: " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException;
    }

    /** After the delay: answer, then close (the client reads EOF), then count the connection done. */
    private void answerLater(Step answer, Step close) {
        timers.schedule(() -> {
            try {
                answer.run();
            } catch (IOException e) {
                System.err.println("worker: could not answer a client: " + e.getMessage());
            } finally {
                try {
                    close.run();
                } catch (IOException ignored) {
                    // closed already
                }
                open.arriveAndDeregister();
            }
        }, setup.delayMs(), TimeUnit.MILLISECONDS);
    }
}
