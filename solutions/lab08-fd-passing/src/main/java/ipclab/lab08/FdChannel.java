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
        if (data.length == 0) {
            // The control message rides on the data: with no byte to carry it, nothing is sent.
            throw new IllegalArgumentException("send: descriptors need at least one data byte to travel with");
        }
        channel.setOutboundFileDescriptors(descriptors);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            // Outbound descriptors are attached to the next write only; clear them in any case.
            channel.setOutboundFileDescriptors((FileDescriptor[]) null);
        }
    }

    /**
     * Reads one message of up to {@code maxBytes} bytes and the descriptors that came with it.
     *
     * @throws java.io.EOFException when the peer has closed the connection
     */
    public Received receive(int maxBytes) throws IOException {
        // junixsocket only collects descriptors when it has a control buffer to put them in.
        channel.socket().setAncillaryReceiveBufferSize(ScmRights.controlSpace(MAX_DESCRIPTORS));
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        int count = channel.read(buffer);
        if (count < 0) {
            throw new java.io.EOFException("receive: the peer closed the connection");
        }
        FileDescriptor[] arrived = channel.getReceivedFileDescriptors();
        return new Received(Arrays.copyOf(buffer.array(), count), arrived == null ? List.of() : Arrays.asList(arrived));
    }

    /**
     * Reads one message with a control buffer that has room for exactly {@code maxDescriptors}
     * descriptors (recvmsg through {@link ScmRights}). When the sender attached more, the kernel sets
     * MSG_CTRUNC: close every descriptor that did arrive and throw {@link ControlTruncatedException}.
     */
    public Received receiveAtMost(int maxBytes, int maxDescriptors) throws IOException {
        ScmRights.Message message = ScmRights.recvmsg(fd(), maxBytes, maxDescriptors == 0 ? 0 : ScmRights.controlSpace(maxDescriptors));
        if (message.controlTruncated()) {
            // The ones that fit are in our table now: they are ours to close, or they leak.
            for (int fd : message.descriptors()) {
                Descriptors.close(fd);
            }
            throw new ControlTruncatedException(maxDescriptors, message.descriptors().length);
        }
        if (message.data().length == 0) {
            throw new java.io.EOFException("receiveAtMost: the peer closed the connection");
        }
        List<FileDescriptor> descriptors = new ArrayList<>();
        for (int fd : message.descriptors()) {
            descriptors.add(Descriptors.of(fd));
        }
        return new Received(message.data(), descriptors);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
