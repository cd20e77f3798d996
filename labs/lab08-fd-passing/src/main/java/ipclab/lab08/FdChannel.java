package ipclab.lab08;

import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A connected Unix domain stream socket that carries descriptors as well as bytes: each
 * {@link #send} is one sendmsg(2) with an SCM_RIGHTS control message, each {@link #receive} one
 * recvmsg(2). Only Unix domain sockets can do this: the kernel copies the sender's descriptors
 * into the receiver's descriptor table while the message is delivered.
 *
 * <p>The two processes find each other through an abstract socket name ({@link #listen},
 * {@link #accept}, {@link #connect}): no file to clean up.
 */
public final class FdChannel implements AutoCloseable {

    /** Room we make for descriptors in one receive: more than any message of this lab carries. */
    static final int MAX_DESCRIPTORS = 64;

    private final AFUNIXSocketChannel channel;

    public FdChannel(AFUNIXSocketChannel channel) {
        this.channel = channel;
    }

    /** A listening socket under an abstract name; the other process {@link #connect}s to it. */
    public static AFUNIXServerSocketChannel listen(String abstractName) throws IOException {
        AFUNIXServerSocketChannel server = AFUNIXServerSocketChannel.open();
        try {
            server.bind(AFUNIXSocketAddress.inAbstractNamespace(abstractName));
            return server;
        } catch (IOException e) {
            server.close();
            throw e;
        }
    }

    /** Waits for the other process to connect. */
    public static FdChannel accept(AFUNIXServerSocketChannel server) throws IOException {
        return new FdChannel(server.accept());
    }

    /** Connects to a process {@link #listen}ing under {@code abstractName}. */
    public static FdChannel connect(String abstractName) throws IOException {
        return new FdChannel(AFUNIXSocketChannel.open(AFUNIXSocketAddress.inAbstractNamespace(abstractName)));
    }

    /** The socket underneath. */
    public AFUNIXSocketChannel channel() {
        return channel;
    }

    /** This socket's own descriptor number in our process. */
    public int fd() throws IOException {
        return Descriptors.number(channel.getFileDescriptor());
    }

    /**
     * Sends {@code data} (at least one byte) with {@code descriptors} attached: one sendmsg(2) with an
     * SCM_RIGHTS control message. Our descriptors stay open; the receiver gets new ones for the same
     * open file descriptions.
     */
    public void send(byte[] data, FileDescriptor... descriptors) throws IOException {
        throw new UnsupportedOperationException("TODO: attach the descriptors (channel.setOutboundFileDescriptors) and write all of data: one sendmsg(2) with SCM_RIGHTS");
    }

    /**
     * Reads one message of up to {@code maxBytes} bytes and the descriptors that came with it.
     *
     * @throws java.io.EOFException when the peer has closed the connection
     */
    public Received receive(int maxBytes) throws IOException {
        throw new UnsupportedOperationException("TODO: make room for descriptors (setAncillaryReceiveBufferSize), read(2) up to maxBytes, collect getReceivedFileDescriptors()");
    }

    /**
     * Reads one message with a control buffer that has room for exactly {@code maxDescriptors}
     * descriptors (recvmsg through {@link ScmRights}). When the sender attached more, the kernel sets
     * MSG_CTRUNC: close every descriptor that did arrive and throw {@link ControlTruncatedException}.
     */
    public Received receiveAtMost(int maxBytes, int maxDescriptors) throws IOException {
        throw new UnsupportedOperationException("TODO: ScmRights.recvmsg with controlSpace(maxDescriptors); on MSG_CTRUNC close what arrived and throw ControlTruncatedException");
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
