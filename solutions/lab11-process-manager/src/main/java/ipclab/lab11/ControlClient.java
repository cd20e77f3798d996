package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The command line's side of the control socket: one blocking connection, one request at a time,
 * every wait bounded by a deadline (a daemon that stopped answering must not hang {@code pm}).
 * pm2's {@code Client.js} with axon's {@code req} socket. Used by one thread. Given code.
 */
public final class ControlClient implements AutoCloseable {

    /** How long a reply may take. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);

    private final int fd;
    private final Path socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(ControlConnection.MAX_DATAGRAM_BYTES);
    private final Received received = new Received(0);
    private long nextId = 1;
    private boolean closed;

    private ControlClient(int fd, Path socket) {
        this.fd = fd;
        this.socket = socket;
    }

    /**
     * Connects to the daemon's {@code socket}.
     *
     * @throws ErrnoException ENOENT when there is no socket file, ECONNREFUSED when it is stale (nobody listens)
     */
    public static ControlClient connect(Path socket) throws ErrnoException {
        return new ControlClient(Sockets.connectUnixPath(socket, Sockets.SOCK_SEQPACKET), socket);
    }

    /**
     * Connects when a daemon serves {@code socket}; empty when none does: no socket file (ENOENT), or a
     * stale one (ECONNREFUSED), left by a daemon that was killed.
     */
    public static Optional<ControlClient> connectIfServed(Path socket) throws ErrnoException {
        try {
            return Optional.of(connect(socket));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ECONNREFUSED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code verb} without arguments. See {@link #call(String, ObjectNode)}. */
    public JsonNode call(String verb) throws IOException, Refusal {
        return call(verb, JsonNodeFactory.instance.objectNode());
    }

    /**
     * Sends one request and waits for its reply.
     *
     * @return the reply's {@code result}
     * @throws Refusal     when the daemon answered {@code ok:false}: its sentence
     * @throws IOException when the daemon closed the connection or did not answer within {@link #DEADLINE}
     */
    public JsonNode call(String verb, ObjectNode args) throws IOException, Refusal {
        long id = request(verb, args);
        while (true) {
            JsonNode reply = receive(DEADLINE);
            if (reply == null) {
                throw new IOException("the daemon closed the connection without answering '" + verb + "' (see daemon.log)");
            }
            if (reply.path("id").asLong(-1) != id && !reply.path("id").isNull()) {
                continue; // a late item of an earlier stream
            }
            if (!reply.path("ok").asBoolean(false)) {
                throw new Refusal(reply.path("error").asText("the daemon refused '" + verb + "' without saying why"));
            }
            return reply.path("result");
        }
    }

    /**
     * Sends a request answered by a stream: each item's {@code field} goes to {@code items}, until the
     * final reply, which is returned. {@code logs --follow} has no final reply: it ends when the
     * daemon closes the connection, or this process is interrupted (Ctrl-C).
     *
     * @param wait how long the daemon may stay silent between two datagrams
     */
    public JsonNode stream(String verb, ObjectNode args, String field, Consumer<JsonNode> items, Duration wait) throws IOException, Refusal {
        long id = request(verb, args);
        while (true) {
            JsonNode reply = receive(wait);
            if (reply == null) {
                throw new IOException("the daemon closed the connection during '" + verb + "' (see daemon.log)");
            }
            if (reply.path("id").asLong(-1) != id) {
                continue;
            }
            if (reply.has(field)) {
                items.accept(reply.get(field));
            } else if (reply.path("ok").asBoolean(false)) {
                return reply.path("result");
            } else {
                throw new Refusal(reply.path("error").asText("the daemon refused '" + verb + "' without saying why"));
            }
        }
    }

    /**
     * The next datagram, as JSON: a reply, or an item of a stream.
     *
     * @return null when the daemon has closed the connection (end of stream)
     * @throws IOException when nothing came within {@code deadline}, or the datagram is not JSON
     */
    public JsonNode receive(Duration deadline) throws IOException {
        if ((Libc.poll(fd, Libc.POLLIN, (int) deadline.toMillis()) & (Libc.POLLIN | Libc.POLLHUP | Libc.POLLERR)) == 0) {
            throw new IOException("the daemon did not answer within " + deadline.toSeconds() + " s on " + socket);
        }
        int bytes = Sockets.recvmsg(fd, buffer, buffer.byteSize(), received);
        if (bytes <= 0) {
            return null;
        }
        return Json.MAPPER.readTree(buffer.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * Waits until the daemon closes the connection, skipping what it still sends: after {@code kill},
     * the end of stream says the daemon has exited.
     *
     * @return false when it was still open after {@code deadline}
     */
    public boolean awaitEnd(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                if (receive(Duration.ofNanos(left)) == null) {
                    return true;
                }
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECONNRESET) {
                    return true; // it exited with something of ours unread
                }
                throw e;
            } catch (IOException e) {
                if (System.nanoTime() - end >= 0) {
                    return false;
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.closeQuietly(fd, "control client");
        arena.close();
    }

    /** Sends {@code {"id":…,"verb":verb,"args":args}} and returns the id its replies will carry. */
    private long request(String verb, ObjectNode args) throws IOException {
        long id = nextId++;
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("id", id);
        request.put("verb", verb);
        request.set("args", args);
        send(Json.MAPPER.writeValueAsBytes(request));
        return id;
    }

    private void send(byte[] datagram) throws IOException {
        if (datagram.length > buffer.byteSize()) {
            throw new IOException("a request of " + datagram.length + " bytes is longer than " + buffer.byteSize());
        }
        MemorySegment.copy(datagram, 0, buffer, ValueLayout.JAVA_BYTE, 0, datagram.length);
        // A blocking socket: send waits for room, and a seqpacket datagram goes whole.
        if (Sockets.send(fd, buffer, datagram.length) < 0) {
            throw new IOException("the control socket would not take the request");
        }
    }
}
