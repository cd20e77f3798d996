package ipclab.lab10;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.support.RunTag;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The master↔worker channel: one JSON object per line over a Unix domain stream socket, and a
 * descriptor attached to a message when it carries one (SCM_RIGHTS). This is a finished, compact
 * version of what lab 09 builds, so that this lab does not depend on yours.
 *
 * <p>How the two ends find each other: the master {@link #listen}s under a fresh abstract socket
 * name (no file to clean up; the name carries this run's {@link RunTag}) and gives it to each worker
 * in the environment variable {@link #ENV}. Anybody on the machine could connect to an abstract
 * name, so the master checks the peer's credentials: the kernel says which pid is on the other end
 * (SO_PEERCRED), and only a worker it forked is let in.
 *
 * <p>Why the descriptors travel beside the lines: a message that carries one is sent in one
 * sendmsg(2), and the kernel never merges it with later bytes in a read. So descriptors arrive in the
 * order of their messages, and at the latest with their message's last byte: a queue of received
 * descriptors, taken from in line order ({@code "fd":true}), pairs each with its message.
 */
public final class WorkerChannel implements AutoCloseable {

    /** The environment variable that gives a worker the master's channel name. */
    public static final String ENV = "IPCLAB_CLUSTER_CHANNEL";

    /** Room for descriptors in one read: a handful, more than any read of this protocol carries. */
    private static final int CONTROL_BYTES = 256;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One message. {@code act} says what it is; the other fields are set when that act needs them.
     *
     * <ul>
     *   <li>master → worker {@code setup}: scheduling, host, port, delayMs (shared mode: with the listening socket)</li>
     *   <li>master → worker {@code newconn}: seq, with a connected socket (round-robin)</li>
     *   <li>master → worker {@code disconnect}: stop taking connections, finish the open ones, exit 0</li>
     *   <li>worker → master {@code listening}: port</li>
     *   <li>worker → master {@code ack}: seq, accepted (false: "I am closing, give it to someone else")</li>
     * </ul>
     */
    public record Message(String act, Long seq, Boolean accepted, String scheduling, String host, Integer port,
                          Long delayMs, Boolean fd) {

        public static Message setup(Scheduling scheduling, String host, int port, long delayMs) {
            return new Message("setup", null, null, scheduling.cliName(), host, port, delayMs, null);
        }

        public static Message newConnection(long seq) {
            return new Message("newconn", seq, null, null, null, null, null, null);
        }

        public static Message disconnect() {
            return new Message("disconnect", null, null, null, null, null, null, null);
        }

        public static Message listening(int port) {
            return new Message("listening", null, null, null, null, port, null, null);
        }

        public static Message ack(long seq, boolean accepted) {
            return new Message("ack", seq, accepted, null, null, null, null, null);
        }

        Message withFd(boolean attached) {
            return new Message(act, seq, accepted, scheduling, host, port, delayMs, attached ? Boolean.TRUE : null);
        }
    }

    /** A message as received, with the descriptor that came with it (or {@code null}): ours to close. */
    public record Envelope(Message message, FileDescriptor handle) {

        /** The descriptor's number in this process, or -1 without one. */
        public int handleFd() throws IOException {
            return handle == null ? -1 : FileDescriptorCast.using(handle).as(Integer.class);
        }
    }

    /** The master's listening end: hands out one channel per worker that connects. */
    public static final class Listener implements AutoCloseable {
        private final AFUNIXServerSocketChannel server;
        private final String name;

        private Listener(AFUNIXServerSocketChannel server, String name) {
            this.server = server;
            this.name = name;
        }

        /** The abstract name a worker connects to (put it in {@link #ENV}). */
        public String name() {
            return name;
        }

        /** Waits for the next worker to connect. {@link WorkerChannel#peerPid()} says who it is. */
        public WorkerChannel accept() throws IOException {
            return new WorkerChannel(server.accept());
        }

        /**
         * Waits at most {@code timeout} for the next worker; {@code null} when none came. An accept
         * loop that looks up now and then can stop by itself and close the listener from its own
         * thread: closing a junixsocket listener while another thread is blocked in accept leaves
         * a descriptor behind for a while.
         */
        public WorkerChannel accept(java.time.Duration timeout) throws IOException {
            server.socket().setSoTimeout((int) timeout.toMillis());
            try {
                return new WorkerChannel((AFUNIXSocketChannel) server.socket().accept().getChannel());
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private final AFUNIXSocketChannel socket;
    private final Deque<FileDescriptor> arrived = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private final Deque<byte[]> lines = new ArrayDeque<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(8192);

    private WorkerChannel(AFUNIXSocketChannel socket) throws IOException {
        this.socket = socket;
        // junixsocket collects received descriptors only when it has a control buffer for them.
        socket.socket().setAncillaryReceiveBufferSize(CONTROL_BYTES);
    }

    /** The master: listens under a fresh abstract name. */
    public static Listener listen() throws IOException {
        String name = RunTag.uniqueName("cluster");
        AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
        try {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(name));
            return new Listener(server, name);
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    /** A worker: connects to the master named in the environment variable {@link #ENV}. */
    public static WorkerChannel connectFromEnvironment() throws IOException {
        String name = System.getenv(ENV);
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("no " + ENV + " in the environment: a worker is started by a Cluster, not by hand");
        }
        return new WorkerChannel(AFUNIXSocketChannel.open(AFUNIXSocketAddress.inAbstractNamespace(name)));
    }

    /** The pid of the process at the other end, as the kernel recorded it at connect time (SO_PEERCRED). */
    public long peerPid() throws IOException {
        return socket.getPeerCredentials().getPid();
    }

    /** Sends {@code message} with no descriptor. */
    public void send(Message message) throws IOException {
        send(message, null);
    }

    /**
     * Sends {@code message} as one line; with {@code handle} attached when not null (our copy stays
     * open: the receiver gets a new descriptor for the same open file description).
     */
    public synchronized void send(Message message, FileDescriptor handle) throws IOException {
        byte[] line = (JSON.writeValueAsString(message.withFd(handle != null)) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        socket.setOutboundFileDescriptors(handle == null ? null : new FileDescriptor[] {handle});
        try {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                socket.write(buffer);
            }
        } finally {
            socket.setOutboundFileDescriptors((FileDescriptor[]) null);
        }
    }

    /**
     * The next message (blocking), with its descriptor if it carries one.
     *
     * @throws EOFException when the other end has closed the channel (or died)
     */
    public Envelope receive() throws IOException {
        while (lines.isEmpty()) {
            readBuffer.clear();
            int count = socket.read(readBuffer);
            FileDescriptor[] fds = socket.getReceivedFileDescriptors();
            if (fds != null) {
                arrived.addAll(Arrays.asList(fds));
            }
            if (count < 0) {
                closeArrived();
                throw new EOFException("the channel's other end has closed");
            }
            for (int i = 0; i < count; i++) {
                byte b = readBuffer.get(i);
                if (b == '\n') {
                    lines.add(partialLine.toByteArray());
                    partialLine.reset();
                } else {
                    partialLine.write(b);
                }
            }
        }
        Message message = JSON.readValue(lines.poll(), Message.class);
        FileDescriptor handle = Boolean.TRUE.equals(message.fd()) ? arrived.poll() : null;
        if (Boolean.TRUE.equals(message.fd()) && handle == null) {
            throw new IOException("channel: message " + message.act() + " says it carries a descriptor, but none arrived");
        }
        return new Envelope(message, handle);
    }

    /** Descriptors that arrived for messages nobody will read any more: ours to close, or they leak. */
    private void closeArrived() {
        for (FileDescriptor fd; (fd = arrived.poll()) != null; ) {
            try {
                ipclab.support.Libc.close(FileDescriptorCast.using(fd).as(Integer.class));
            } catch (IOException ignored) {
                // closed already
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeArrived();
        socket.close();
    }
}
