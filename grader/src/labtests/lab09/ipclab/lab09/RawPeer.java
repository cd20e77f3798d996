package ipclab.lab09;

import static org.assertj.core.api.Assertions.fail;

import ipclab.support.Libc;
import ipclab.support.net.Received;
import ipclab.support.net.Sockets;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The other end of a socketpair, spoken to with plain system calls, not the lab's Channel: the
 * test writes exactly the bytes and descriptors it wants and sees exactly what arrives. Blocking,
 * but every read waits in poll(2) with the test's deadline first.
 */
final class RawPeer implements AutoCloseable {

    /** One line as it arrived, without its '\n', and how many descriptors came with it (closed at once). */
    record Line(String text, int descriptors) {
    }

    private static final int BUFFER_BYTES = 64 * 1024;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER_BYTES);
    private final Received received = new Received();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private int descriptorsOfPartial;
    /** True once a read returned the end of stream: the channel shut down its side (or closed). */
    private boolean ended;
    private boolean closed;

    RawPeer(int fd) {
        this.fd = fd;
    }

    /** Sends {@code text} and a '\n'. */
    void sendLine(String text) throws Exception {
        sendLine(text, -1);
    }

    /** Sends {@code text} and a '\n', with {@code attachFd} on its first byte (SCM_RIGHTS) unless it is negative. */
    void sendLine(String text, int attachFd) throws Exception {
        send((text + "\n").getBytes(StandardCharsets.UTF_8), attachFd);
    }

    /** Sends {@code bytes} as they are, with {@code attachFd} on the first one unless it is negative. */
    void send(byte[] bytes, int attachFd) throws Exception {
        int done = 0;
        while (done < bytes.length) {
            int count = Math.min(BUFFER_BYTES, bytes.length - done);
            MemorySegment.copy(bytes, done, buffer, ValueLayout.JAVA_BYTE, 0, count);
            done += Sockets.sendmsg(fd, buffer, count, done == 0 ? attachFd : -1);
        }
    }

    /** The next line, or a failure naming {@code whenItHangs} when none is complete by the deadline. */
    Line readLine(String whenItHangs) throws Exception {
        long end = System.nanoTime() + TestKit.DEADLINE.toNanos();
        while (true) {
            Line line = takeLine();
            if (line != null) {
                return line;
            }
            long left = Math.max(0, (end - System.nanoTime()) / 1_000_000);
            if (!readSome(left)) {
                String why = ended ? "the channel closed its end before a complete line" : "the channel sent no complete line within "
                        + TestKit.DEADLINE.toSeconds() + " s";
                return fail(why + ": " + whenItHangs + TestKit.callbackFailures());
            }
        }
    }

    /** True when no complete line arrives within {@code period}: for "nothing more until …" checks. */
    boolean quietFor(Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            if (partial.toString(StandardCharsets.UTF_8).contains("\n")) {
                return false;
            }
            readSome(Math.max(1, (end - System.nanoTime()) / 1_000_000));
        }
        return !partial.toString(StandardCharsets.UTF_8).contains("\n");
    }

    /** Reads everything until the channel's end of stream, or fails at the deadline. */
    void readToEnd(String whenItHangs) throws Exception {
        long end = System.nanoTime() + TestKit.DEADLINE.toNanos();
        while (Libc.poll(fd, Libc.POLLIN, (int) Math.max(0, (end - System.nanoTime()) / 1_000_000)) != 0) {
            if (Sockets.recvmsg(fd, buffer, BUFFER_BYTES, received) == 0) {
                closeArrived();
                return;
            }
            closeArrived();
        }
        fail("no end of stream within " + TestKit.DEADLINE.toSeconds() + " s: " + whenItHangs + TestKit.callbackFailures());
    }

    /** One recvmsg after waiting up to {@code millis} for data; false when none came (or the stream ended). */
    private boolean readSome(long millis) throws Exception {
        if (Libc.poll(fd, Libc.POLLIN, (int) Math.min(Integer.MAX_VALUE, millis)) == 0) {
            return false;
        }
        int count = Sockets.recvmsg(fd, buffer, BUFFER_BYTES, received);
        descriptorsOfPartial += closeArrived();
        if (count <= 0) {
            ended = count == 0;
            return false;
        }
        partial.write(buffer.asSlice(0, count).toArray(ValueLayout.JAVA_BYTE));
        return true;
    }

    private int closeArrived() throws Exception {
        for (int arrived : received.descriptors()) {
            Libc.close(arrived);
        }
        return received.descriptorCount();
    }

    private Line takeLine() {
        byte[] bytes = partial.toByteArray();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                partial.reset();
                partial.write(bytes, i + 1, bytes.length - i - 1);
                Line line = new Line(new String(bytes, 0, i, StandardCharsets.UTF_8), descriptorsOfPartial);
                descriptorsOfPartial = 0; // a descriptor comes with the first byte of its line: the next ones start afresh
                return line;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                Libc.close(fd);
            } catch (Exception e) {
                System.err.println("raw peer: " + e);
            } finally {
                arena.close();
            }
        }
    }
}
