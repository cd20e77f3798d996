package ipclab.lab11;

import com.fasterxml.jackson.databind.node.NullNode;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Watch;
import ipclab.support.net.Accepts;
import ipclab.support.net.Sockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's control socket, {@code rpc.sock}: a {@code SOCK_SEQPACKET} listener on the daemon's
 * loop. Three walls keep strangers out: the home is 0700, the socket file 0600, and every connection's
 * peer credentials ({@code SO_PEERCRED}) must name the owner's uid. The last one holds even when the
 * first two are loosened by mistake. pm2's {@code rpc.sock} is 0775 and checks nobody.
 */
public final class ControlServer implements AutoCloseable {

    /** Connections open at once, at most; the next is told "busy" and closed. */
    public static final int MAX_CONNECTIONS = 64;
    /** Connections accepted per wake-up at most, so that a crowd at the door does not starve the clients inside. */
    static final int ACCEPTS_PER_WAKEUP = 16;

    private final EventLoop loop;
    private final Daemon daemon;
    private final Path socket;
    private final int listenFd;
    private final int ownerUid;
    private final Set<ControlConnection> connections = new LinkedHashSet<>();
    private Watch watch;
    private boolean closed;

    private ControlServer(EventLoop loop, Daemon daemon, Path socket, int listenFd, int ownerUid) {
        this.loop = loop;
        this.daemon = daemon;
        this.socket = socket;
        this.listenFd = listenFd;
        this.ownerUid = ownerUid;
    }

    /**
     * Listens on {@code socket} (which must not exist), makes it 0600, and watches it on {@code loop}.
     * Call it on the loop's thread, or before the loop runs.
     *
     * @param ownerUid the only uid whose processes may connect: ours, unless a test says otherwise
     */
    public static ControlServer listen(EventLoop loop, Path socket, int ownerUid, Daemon daemon) throws IOException {
        int fd = Sockets.listenUnixPath(socket, Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
        try {
            // bind(2) made the file 0777 & ~umask; say what we mean rather than rely on the umask.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            ControlServer server = new ControlServer(loop, daemon, socket, fd, ownerUid);
            server.watch = loop.watch(fd, EventLoop.READABLE, server::onAcceptable);
            return server;
        } catch (IOException | RuntimeException e) {
            Libc.closeQuietly(fd, "control socket");
            Files.deleteIfExists(socket);
            throw e;
        }
    }

    /**
     * Connections are waiting: accept them (up to {@link #ACCEPTS_PER_WAKEUP}, until none is left),
     * refuse a stranger and the one over {@link #MAX_CONNECTIONS} with an error reply, and start reading
     * from the others.
     */
    void onAcceptable(Watch listener, int events) throws ErrnoException {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            int fd = Accepts.next(listener, Sockets.SOCK_NONBLOCK);
            if (fd < 0) {
                return;
            }
            Sockets.PeerCredentials peer;
            try {
                peer = Sockets.peerCredentials(fd);
            } catch (ErrnoException e) {
                System.err.println("control socket: " + e.getMessage() + "; closing that connection");
                Libc.closeQuietly(fd, "control socket");
                continue;
            }
            ControlConnection connection = new ControlConnection(loop, fd, peer);
            if (peer.uid() != ownerUid) {
                refuse(connection, "uid " + peer.uid() + " (pid " + peer.pid() + ") may not control this daemon (owner uid " + ownerUid + ")");
            } else if (connections.size() >= MAX_CONNECTIONS) {
                refuse(connection, "busy: " + MAX_CONNECTIONS + " connections are open already; try again when one closes");
            } else {
                connections.add(connection);
                connection.onClose(() -> connections.remove(connection));
                connection.start(this::onDatagram);
            }
        }
    }

    /**
     * One request arrived: refuse what is too long or malformed, find its verb, run it, and answer
     * whatever happens. Nothing a client sends may end the daemon.
     */
    void onDatagram(ControlConnection connection, byte[] data, boolean truncated) {
        if (truncated) {
            connection.send(ControlCodec.error(NullNode.instance, "request longer than " + ControlConnection.MAX_DATAGRAM_BYTES
                    + " bytes: the kernel dropped the rest of it; nothing was done"));
            return;
        }
        Request request;
        try {
            request = ControlCodec.parse(data);
        } catch (Refusal refusal) {
            connection.send(ControlCodec.error(refusal.id(), refusal.getMessage()));
            return;
        }
        Responder reply = new Responder(connection, request.id());
        Optional<Verb> verb = daemon.verb(request.verb());
        if (verb.isEmpty()) {
            String name = request.verb().length() > 64 ? request.verb().substring(0, 64) + "…" : request.verb();
            reply.error("unknown verb '" + name + "' (verbs: " + String.join(", ", daemon.verbNames()) + ")");
            return;
        }
        try {
            verb.get().handle(request, reply);
        } catch (Refusal refusal) {
            reply.error(refusal.getMessage());
        } catch (Exception | StackOverflowError e) {
            System.err.println("verb '" + request.verb() + "' threw; the client is told, the daemon goes on:");
            e.printStackTrace();
            reply.error("internal error: " + e);
        }
    }

    /** The connections open now. */
    public List<ControlConnection> connections() {
        return List.copyOf(connections);
    }

    /**
     * Stops listening and removes {@code rpc.sock}: nobody new can connect. The open connections stay,
     * so that the request that asked for the shutdown can still be answered; they close with the
     * process. Idempotent; on the loop thread.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null && watch.isActive()) {
            watch.cancel(); // before close(2): see Watch.cancel
        }
        Files.deleteIfExists(socket);
        Libc.close(listenFd);
    }

    private static void refuse(ControlConnection connection, String sentence) {
        connection.refuse(ControlCodec.error(NullNode.instance, sentence));
    }
}
