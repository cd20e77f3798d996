package ipclab.lab05;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One end of a connected socket, whatever its kind, with exactly one system call per
 * {@link #send} and per {@link #receive}: that is what makes message boundaries visible.
 */
public interface Endpoint extends Closeable {

    /** One write(2): returns how many bytes the kernel took (a stream may take fewer than offered). */
    int send(byte[] data) throws IOException;

    /** One read(2) into {@code buffer}: the number of bytes read, 0 at end of file. */
    int receive(byte[] buffer) throws IOException;

    /** An endpoint on a raw descriptor, such as one end of {@link SocketCalls#socketpair}. It owns and closes it. */
    static Endpoint ofDescriptor(int fd) {
        return new Descriptor(fd);
    }

    /** An endpoint on a blocking JDK channel, such as a TCP connection. It owns and closes it. */
    static Endpoint ofChannel(SocketChannel channel) {
        return new Channel(channel);
    }

    /** A raw descriptor, read and written with read(2) and write(2) through {@link Libc}. */
    final class Descriptor implements Endpoint {
        private final int fd;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Descriptor(int fd) {
            this.fd = fd;
        }

        public int fd() {
            return fd;
        }

        @Override
        public int send(byte[] data) throws ErrnoException {
            return Libc.write(fd, data, 0, data.length);
        }

        @Override
        public int receive(byte[] buffer) throws ErrnoException {
            return Libc.read(fd, buffer, 0, buffer.length);
        }

        @Override
        public void close() throws ErrnoException {
            if (open.compareAndSet(true, false)) { // never close a number twice: it may be someone else's by now
                Libc.close(fd);
            }
        }

        @Override
        public String toString() {
            return "fd " + fd;
        }
    }

    /** A blocking {@link SocketChannel}: one read(2) or write(2) per call, as the JDK makes them. */
    final class Channel implements Endpoint {
        private final SocketChannel channel;

        private Channel(SocketChannel channel) {
            this.channel = channel;
        }

        public SocketChannel channel() {
            return channel;
        }

        @Override
        public int send(byte[] data) throws IOException {
            return channel.write(ByteBuffer.wrap(data));
        }

        @Override
        public int receive(byte[] buffer) throws IOException {
            int n = channel.read(ByteBuffer.wrap(buffer));
            return Math.max(n, 0); // the JDK says -1 at end of stream; read(2) says 0
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return channel.toString();
        }
    }
}
