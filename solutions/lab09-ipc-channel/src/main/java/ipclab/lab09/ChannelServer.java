package ipclab.lab09;

import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * The parent's side of the rendezvous. A JVM child inherits no descriptors but 0, 1 and 2, so the
 * parent cannot hand it a socketpair end as Node does (NODE_CHANNEL_FD); instead it listens on a
 * socket file in a private directory and tells the child the path in the environment.
 *
 * <pre>
 * /tmp/ipclab-channel-XXXX/     drwx------  only our uid may even look inside
 *     channel.sock              srw-------  only our uid may connect
 * </pre>
 * and accepts exactly one peer: the child it started, proven by the kernel's SO_PEERCRED.
 */
public final class ChannelServer implements AutoCloseable {

    /** The socket file's name inside the private directory. */
    public static final String SOCKET_NAME = "channel.sock";
    /** The private directory's name starts with this; Files.createTempDirectory adds up to 20 digits. */
    static final String DIRECTORY_PREFIX = "ipclab-channel-";
    /** sun_path in struct sockaddr_un holds 108 bytes, the last one a NUL: no longer path can be bound. */
    static final int SUN_PATH_MAX = 107;

    private final Path directory;
    private final AFUNIXServerSocketChannel listener;

    private ChannelServer(Path directory, AFUNIXServerSocketChannel listener) {
        this.directory = directory;
        this.listener = listener;
    }

    /** Creates the private directory (0700), binds and listens on {@link #SOCKET_NAME} in it (0600). */
    public static ChannelServer create() throws IOException {
        Path directory = Files.createTempDirectory(directoryBase(), DIRECTORY_PREFIX, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        AFUNIXServerSocketChannel listener = null;
        try {
            listener = AFUNIXServerSocketChannel.open();
            Path socket = directory.resolve(SOCKET_NAME);
            listener.bind(AFUNIXSocketAddress.of(socket));
            // bind(2) gives the file the umask's mode; connect(2) needs write permission on it.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            return new ChannelServer(directory, listener);
        } catch (IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            removeFiles(directory);
            throw e;
        }
    }

    /**
     * Where the private directory goes: the JVM's temp directory ({@code java.io.tmpdir}), unless a
     * socket path under it could outgrow sun_path's 108 bytes (a project checked out deep in a home
     * directory does that; bind(2) would fail with "sockname too long"), then {@code /tmp}.
     */
    static Path directoryBase() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        String longest = tmp.resolve(DIRECTORY_PREFIX + "9".repeat(20)).resolve(SOCKET_NAME).toString();
        return longest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= SUN_PATH_MAX ? tmp : Path.of("/tmp");
    }

    /** The socket file's path: what the child gets in {@link Channel#ENVIRONMENT_VARIABLE}. */
    public Path socketPath() {
        return directory.resolve(SOCKET_NAME);
    }

    /**
     * Accepts connections until one comes from process {@code childPid} running as our uid
     * (SO_PEERCRED); every other connection is closed at once. When the child is in, the socket
     * file and the directory are removed: nobody else can connect any more. The channel runs on
     * the process's loop ({@link EventLoop#main()}); it is not started yet.
     *
     * @throws IOException when {@code childPid} exits, or the deadline passes, before it connected
     */
    public Channel accept(long childPid, Duration deadline, ChannelOptions options) throws IOException {
        return accept(childPid, deadline, options, EventLoop.main());
    }

    /** As {@link #accept(long, Duration, ChannelOptions)}, for a channel on {@code loop}. */
    public Channel accept(long childPid, Duration deadline, ChannelOptions options, EventLoop loop) throws IOException {
        long giveUpAt = System.nanoTime() + deadline.toNanos();
        int listenerFd = Descriptors.number(listener.getFileDescriptor());
        while (true) {
            long left = giveUpAt - System.nanoTime();
            if (left <= 0) {
                throw new IOException("accept: process " + childPid + " did not connect to " + socketPath() + " within "
                        + deadline.toMillis() + " ms: was it started with " + Channel.ENVIRONMENT_VARIABLE
                        + " set, and does it call Channel.fromEnvironment()?");
            }
            if (ProcessHandle.of(childPid).map(p -> !p.isAlive()).orElse(true)) {
                throw new IOException("accept: process " + childPid + " exited before it connected to the channel (its error is on its stderr)");
            }
            // Wait in short slices so that a child that died is noticed soon.
            if ((Libc.poll(listenerFd, Libc.POLLIN, (int) Math.min(100, Math.max(1, left / 1_000_000))) & Libc.POLLIN) == 0) {
                continue;
            }
            AFUNIXSocketChannel connection = listener.accept();
            AFUNIXSocketCredentials peer = connection.getPeerCredentials();
            if (peer.getPid() == childPid && peer.getUid() == ourUid()) {
                try {
                    close(); // the child is in: the file and directory go, nobody else can connect
                    return Channel.wrap(loop, connection, options, "parent end of the channel to pid " + childPid);
                } catch (IOException | RuntimeException e) {
                    connection.close(); // no channel owns it yet
                    throw e;
                }
            }
            System.err.println("accept: refused a connection from pid " + peer.getPid() + " (uid " + peer.getUid()
                    + "): only process " + childPid + " may connect to " + socketPath());
            connection.close();
        }
    }

    /** Stops listening and removes the socket file and the directory. */
    @Override
    public void close() throws IOException {
        listener.close();
        removeFiles(directory);
    }

    /** Our effective uid, as the kernel records it: the owner of /proc/self (the same value SO_PEERCRED reports). */
    static long ourUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static void removeFiles(Path directory) throws IOException {
        Files.deleteIfExists(directory.resolve(SOCKET_NAME));
        Files.deleteIfExists(directory);
    }
}
