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
        throw new UnsupportedOperationException("TODO: Sockets.listenUnixPath(socket, SOCK_SEQPACKET|SOCK_NONBLOCK); chmod the file 0600; watch the fd READABLE on loop with onAcceptable; on failure close the fd and delete the file (handout, step 3)");
    }

    /**
     * Connections are waiting: accept them (up to {@link #ACCEPTS_PER_WAKEUP}, until none is left),
     * refuse a stranger and the one over {@link #MAX_CONNECTIONS} with an error reply, and start reading
     * from the others.
     */
    void onAcceptable(Watch listener, int events) throws ErrnoException {
        throw new UnsupportedOperationException("TODO: up to ACCEPTS_PER_WAKEUP times, Accepts.next(listener, SOCK_NONBLOCK) until it gives -1; SO_PEERCRED: a uid other than ownerUid is refused ('uid U (pid P) may not control this daemon (owner uid O)', U and P from SO_PEERCRED), and so is a connection over MAX_CONNECTIONS ('busy: ...'): refuse() them; any other joins connections (leaving it on close) and starts with onDatagram (handout, step 3)");
    }

    /**
     * One request arrived: refuse what is too long or malformed, find its verb, run it, and answer
     * whatever happens. Nothing a client sends may end the daemon.
     */
    void onDatagram(ControlConnection connection, byte[] data, boolean truncated) {
        throw new UnsupportedOperationException("TODO: truncated: 'request longer than 65536 bytes'; ControlCodec.parse (a Refusal becomes an error reply with its id); an unknown verb: 'unknown verb 'x' (verbs: ...)'; run the verb: a Refusal becomes its sentence, anything else 'internal error: ...' with the stack on stderr. Nothing may escape (handout, step 3)");
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
