package ipclab.lab09;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.net.Sockets;
import java.io.IOException;

/**
 * How a child finds the channel a Node parent gave it. {@code child_process.spawn} with an
 * {@code 'ipc'} entry in {@code stdio} (and {@code fork}, which adds one) makes a Unix stream
 * socketpair, leaves the child's end open across exec at the index of that entry, and says which
 * number in {@code NODE_CHANNEL_FD}. A Node child picks it up before running any user code
 * ({@code setupChildProcessIpcChannel} in {@code lib/internal/process/pre_execution.js}, then
 * {@code _forkChild} in {@code lib/child_process.js} 175&ndash;187); a JVM inherits the descriptor
 * the same way, so {@link Channel#fromEnvironment()} can do what Node does.
 *
 * <p>Given code.
 */
final class NodeChannel {

    /** The descriptor number of the child's end of the channel. */
    static final String FD_VARIABLE = "NODE_CHANNEL_FD";
    /** How messages are written: {@code json} (the default, JSON lines: ours) or {@code advanced} (V8's serializer). */
    static final String SERIALIZATION_VARIABLE = "NODE_CHANNEL_SERIALIZATION_MODE";

    private NodeChannel() {
    }

    /**
     * The descriptor named by {@code fdVariable}, checked to be a Unix stream socket and made
     * close-on-exec: Node deletes the two variables so that its own children do not inherit the
     * channel; a JVM cannot change its environment, so {@code ChildJvm} leaves them out of every
     * child's, and close-on-exec keeps the descriptor out of any other program we start.
     *
     * @throws IllegalStateException when the variables ask for what we cannot speak
     * @throws IOException           when the number is not an open stream socket of this process
     */
    static int inheritedDescriptor(String fdVariable) throws IOException {
        String mode = System.getenv(SERIALIZATION_VARIABLE);
        if (mode != null && !mode.equals("json")) {
            throw new IllegalStateException(SERIALIZATION_VARIABLE + " is \"" + mode + "\": this channel speaks Node's "
                    + "\"json\" serialization only (JSON lines); spawn the child without serialization: 'advanced'");
        }
        int fd;
        try {
            fd = Integer.parseInt(fdVariable.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(FD_VARIABLE + "=\"" + fdVariable + "\" is not a descriptor number");
        }
        int type;
        try {
            type = Sockets.intOption(fd, Sockets.SO_TYPE);
        } catch (ErrnoException e) {
            throw new IOException(FD_VARIABLE + "=" + fd + ": " + e.getMessage() + ". EBADF: this process did not inherit it "
                    + "(a parent that is not Node passed the variable on without the descriptor); ENOTSOCK: it is not a channel", e);
        }
        if (type != Sockets.SOCK_STREAM || Sockets.intOption(fd, Sockets.SO_DOMAIN) != Sockets.AF_UNIX) {
            // A number the parent did not pass may be one the JVM has opened for itself since.
            throw new IOException(FD_VARIABLE + "=" + fd + " is not the Unix stream socket Node makes (type " + type
                    + "): was this process started by Node with an 'ipc' entry in its stdio?");
        }
        Libc.fcntl(fd, Libc.F_SETFD, Libc.FD_CLOEXEC);
        return fd;
    }
}
