package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The grader's own client of the control socket: a {@code SOCK_SEQPACKET} connection that sends
 * raw bytes or JSON and receives one datagram at a time, every wait bounded. It never uses the lab's
 * classes, so a test of the daemon does not depend on the lab's client, and a broken daemon cannot
 * hang a test: whatever it sends is read defensively.
 */
final class PmWire implements AutoCloseable {

    /** How long one reply may take. */
    static final Duration DEADLINE = Duration.ofSeconds(5);
    /** Room for the largest datagram the daemon may send, and one byte to see a longer one. */
    private static final int ROOM = 65_536 + 1;
    /** How soon a connect refused for a full backlog is tried again. */
    private static final Duration RETRY = Duration.ofMillis(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One datagram received: its bytes, or end of stream (the daemon closed the connection). */
    record Datagram(byte[] bytes, boolean endOfStream) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(ROOM);
    private final Received received = new Received(0);
    private long nextId = 1000;
    private boolean closed;

    private PmWire(int fd) {
        this.fd = fd;
    }

    /**
     * Connects to {@code socket} within {@link #DEADLINE}; ENOENT or ECONNREFUSED when no daemon
     * serves it, EAGAIN when its backlog stayed full. A blocking connect(2) would wait as long as a
     * daemon that never accepts likes, so the connect is non-blocking, and the connection blocking
     * once made.
     */
    static PmWire connect(Path socket) throws ErrnoException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            int fd;
            try {
                fd = Sockets.connectUnixPath(socket, Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN || System.nanoTime() - end > 0) {
                    throw e;
                }
                // A full backlog: the kernel offers nothing to wait on for a connect that failed, so look again soon.
                LockSupport.parkNanos(RETRY.toNanos());
                continue;
            }
            try {
                Libc.fcntl(fd, Libc.F_SETFL, Libc.fcntl(fd, Libc.F_GETFL) & ~Libc.O_NONBLOCK);
            } catch (ErrnoException e) {
                Libc.closeQuietly(fd, "PmWire");
                throw e;
            }
            return new PmWire(fd);
        }
    }

    /** Sends {@code bytes} as one datagram (blocking until the socket takes it). */
    void sendRaw(byte[] bytes) throws IOException {
        try (Arena once = Arena.ofConfined()) {
            MemorySegment data = once.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            if (Sockets.send(fd, data, bytes.length) < 0) {
                throw new IOException("the control socket would not take " + bytes.length + " bytes");
            }
        }
    }

    void send(String json) throws IOException {
        sendRaw(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The next datagram, waiting at most {@link #DEADLINE}.
     *
     * @throws IOException when nothing came in time
     */
    Datagram receive() throws IOException {
        Datagram datagram = receiveWithin(DEADLINE);
        if (datagram == null) {
            throw new IOException("no datagram from the daemon within " + DEADLINE.toSeconds() + " s");
        }
        return datagram;
    }

    /** The next datagram, or null when none came within {@code deadline}. */
    Datagram receiveWithin(Duration deadline) throws IOException {
        short ready = Libc.poll(fd, Libc.POLLIN, (int) deadline.toMillis());
        if (ready == 0) {
            return null;
        }
        int bytes;
        try {
            bytes = Sockets.recvmsg(fd, buffer, ROOM, received);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ECONNRESET) {
                return new Datagram(new byte[0], true);
            }
            throw e;
        }
        if (bytes <= 0) {
            return new Datagram(new byte[0], true);
        }
        return new Datagram(buffer.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE), false);
    }

    /**
     * The next datagram as JSON.
     *
     * @throws IOException when none came in time, the connection closed, or it is not JSON
     */
    JsonNode receiveJson() throws IOException {
        Datagram datagram = receive();
        if (datagram.endOfStream()) {
            throw new IOException("the daemon closed the connection instead of answering");
        }
        try {
            return JSON.readTree(datagram.bytes());
        } catch (IOException e) {
            throw new IOException("the daemon's reply is not JSON: " + abbreviate(datagram.text()), e);
        }
    }

    /** Sends {@code {"id":N,"verb":verb}} and returns the reply, whatever it says. */
    JsonNode call(String verb) throws IOException {
        long id = nextId++;
        send("{\"id\":" + id + ",\"verb\":\"" + verb + "\"}");
        return receiveJson();
    }

    /** Sends {@code {"id":N,"verb":verb,"args":args}} and returns the reply, whatever it says. */
    JsonNode call(String verb, String argsJson) throws IOException {
        long id = nextId++;
        send("{\"id\":" + id + ",\"verb\":\"" + verb + "\",\"args\":" + argsJson + "}");
        return receiveJson();
    }

    /** The reply's {@code result} of a request that must succeed, or an IOException naming the reply. */
    JsonNode ok(String verb, String argsJson) throws IOException {
        JsonNode reply = call(verb, argsJson);
        if (!reply.path("ok").asBoolean(false)) {
            throw new IOException(verb + " " + abbreviate(argsJson) + " was answered " + reply);
        }
        return reply.path("result");
    }

    /** {@code ping}'s result, or a failure message naming what came instead. */
    JsonNode ping() throws IOException {
        JsonNode reply = call("ping");
        if (!reply.path("ok").asBoolean(false)) {
            throw new IOException("ping was answered " + reply);
        }
        return reply.path("result");
    }

    /**
     * Reads and drops datagrams until the daemon closes the connection.
     *
     * @return true when it did within {@code deadline}
     */
    boolean awaitEndOfStream(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() - end < 0) {
            int left = (int) Math.max(1, (end - System.nanoTime()) / 1_000_000);
            if (Libc.poll(fd, Libc.POLLIN, left) == 0) {
                return false;
            }
            try {
                if (Sockets.recvmsg(fd, buffer, ROOM, received) <= 0) {
                    return true;
                }
            } catch (ErrnoException e) {
                return e.errno() == Errno.ECONNRESET;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.closeQuietly(fd, "PmWire");
            arena.close();
        }
    }

    static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
