package ipclab.support;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.Channel;

/**
 * The descriptor behind a JDK channel: a {@code SocketChannel}, {@code ServerSocketChannel},
 * {@code DatagramChannel} or a {@code Pipe}'s ends. The JDK keeps it private, but every such channel
 * implements its internal interface {@code sun.nio.ch.SelChImpl}, whose {@code getFD()} and
 * {@code getFDVal()} hand it out; the course's JVM flags export that package to us
 * ({@code --add-exports=java.base/sun.nio.ch=ALL-UNNAMED}).
 *
 * <p>The channel still owns the descriptor: close the channel, never the descriptor, or the number
 * may be reused for another file while the channel still writes to it.
 */
public final class ChannelDescriptor {

    private static final String SELECTABLE_CHANNEL = "sun.nio.ch.SelChImpl";

    private ChannelDescriptor() {
    }

    /** The channel's descriptor as a Java {@link FileDescriptor}, e.g. to send to another process. */
    public static FileDescriptor of(Channel channel) throws IOException {
        return (FileDescriptor) ask(channel, "getFD");
    }

    /** The channel's descriptor number: its entry in /proc/self/fd, for {@link Libc} calls. */
    public static int numberOf(Channel channel) throws IOException {
        return (int) ask(channel, "getFDVal");
    }

    private static Object ask(Channel channel, String method) throws IOException {
        try {
            Class<?> selectable = Class.forName(SELECTABLE_CHANNEL);
            if (selectable.isInstance(channel)) {
                return selectable.getMethod(method).invoke(channel);
            }
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot reach the descriptor of " + channel
                    + " (is the JVM started with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED?)", e);
        }
        throw new IllegalArgumentException("not a socket or pipe channel of the JDK: " + channel);
    }
}
