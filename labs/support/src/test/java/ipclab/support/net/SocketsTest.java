package ipclab.support.net;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Downcall;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.testing.OpenDescriptors;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60) // a read that blocks by mistake fails the test instead of hanging the build
class SocketsTest {

    private static final MethodHandle SENDMSG = LIBC.function("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(65536);
    private final List<Integer> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int fd : opened) {
            Libc.close(fd);
        }
        arena.close();
    }

    @Test
    @DisplayName("sendmsg carries a descriptor; recvmsg installs it close-on-exec, for the same open file description")
    void descriptorTravels(@TempDir Path dir) throws Exception {
        int[] pair = pair(Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        int file = Libc.open(Files.writeString(dir.resolve("f"), "0123456789"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        opened.add(file);

        assertThat(Sockets.sendmsg(pair[0], text("hello"), 5, file)).isEqualTo(5);
        assertThat(Sockets.send(pair[0], text(" world"), 6)).isEqualTo(6);
        Received received = new Received();
        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), received))
                .as("bytes sent after a message with a descriptor never join it in one read").isEqualTo(5);
        assertThat(received.descriptorCount()).isEqualTo(1);
        int arrived = received.descriptor(0);
        opened.add(arrived);
        assertThat(received.truncated()).isFalse();
        assertThat(string(buffer, 5)).isEqualTo("hello");

        assertThat(arrived).isNotEqualTo(file);
        int pid = Libc.getpid();
        assertThat(Libc.kcmp(pid, pid, Libc.KCMP_FILE, file, arrived)).as("the same open file description").isZero();
        assertThat(Libc.fcntl(arrived, Libc.F_GETFD) & Libc.FD_CLOEXEC).as("MSG_CMSG_CLOEXEC").isEqualTo(Libc.FD_CLOEXEC);

        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), received)).isEqualTo(6);
        assertThat(received.descriptors()).isEmpty();
        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), received)).as("nothing left: EAGAIN").isEqualTo(-1);
        assertThat(received.bytes()).isEqualTo(-1);
    }

    @Test
    @DisplayName("too small a control buffer: truncated, the descriptors that fit reported, the others closed by the kernel")
    void truncatedControl() throws Exception {
        int[] pair = pair(Sockets.SOCK_STREAM);
        int[] spare = pair(Sockets.SOCK_STREAM);
        long before = OpenDescriptors.count();

        assertThat(Sockets.sendmsg(pair[0], text("a"), 1, spare[0])).isEqualTo(1);
        Received noRoom = new Received(0);
        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), noRoom)).isEqualTo(1);
        assertThat(noRoom.truncated()).as("MSG_CTRUNC").isTrue();
        assertThat(noRoom.descriptors()).isEmpty();
        assertThat(OpenDescriptors.count()).as("the descriptor with no room was never installed").isEqualTo(before);

        sendTwoDescriptors(pair[0], spare[0], spare[1]);
        Received roomForOne = new Received(1);
        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), roomForOne)).isEqualTo(1);
        assertThat(roomForOne.truncated()).isTrue();
        assertThat(roomForOne.descriptorCount()).as("the one that fit").isEqualTo(1);
        assertThat(OpenDescriptors.count()).as("only the reported one is open").isEqualTo(before + 1);
        Libc.close(roomForOne.descriptor(0));
        assertThat(OpenDescriptors.count()).isEqualTo(before);
    }

    @Test
    @DisplayName("seqpacket on an abstract name: accept4 says -1 until a peer connects, peer credentials, whole messages")
    void seqpacketOnAnAbstractName() throws Exception {
        String name = "ipclab-sockets-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int listener = Sockets.listenUnixAbstract(name, Sockets.SOCK_SEQPACKET | Sockets.SOCK_NONBLOCK);
        opened.add(listener);
        assertThat(Sockets.accept4(listener, Sockets.SOCK_NONBLOCK)).as("nobody waiting: EAGAIN").isEqualTo(-1);
        assertThatThrownBy(() -> Sockets.listenUnixAbstract(name, Sockets.SOCK_SEQPACKET))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EADDRINUSE)).isTrue())
                .hasMessageStartingWith("bind(").hasMessageContaining("@" + name).hasMessageContaining("bound to that address already");

        int client = Sockets.connectUnixAbstract(name, Sockets.SOCK_SEQPACKET);
        opened.add(client);
        int server = Sockets.accept4(listener, Sockets.SOCK_NONBLOCK);
        opened.add(server);
        assertThat(server).isNotNegative();
        assertThat(Libc.fcntl(server, Libc.F_GETFL) & Libc.O_NONBLOCK).isEqualTo(Libc.O_NONBLOCK);
        assertThat(Libc.fcntl(server, Libc.F_GETFD) & Libc.FD_CLOEXEC).isEqualTo(Libc.FD_CLOEXEC);
        assertThat(Sockets.peerCredentials(server)).isEqualTo(new Sockets.PeerCredentials(Libc.getpid(), Libc.geteuid(), effectiveGid()));

        Sockets.send(client, text("one"), 3);
        Sockets.send(client, text("two!"), 4);
        Received received = new Received();
        assertThat(Sockets.recvmsg(server, buffer, buffer.byteSize(), received)).as("one message per read").isEqualTo(3);
        assertThat(Sockets.recvmsg(server, buffer, buffer.byteSize(), received)).isEqualTo(4);
        assertThat(string(buffer, 4)).isEqualTo("two!");

        assertThatThrownBy(() -> Sockets.connectUnixAbstract(name + "-nobody", Sockets.SOCK_SEQPACKET))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ECONNREFUSED)).isTrue())
                .hasMessageContaining("no socket listens");
    }

    @Test
    @DisplayName("send says -1 when the socket is full; shutdownOutput gives the peer end of stream; a closed peer gives EPIPE, not SIGPIPE")
    void sendAndShutdown() throws Exception {
        int[] pair = pair(Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK);
        long taken = 0;
        int sent;
        while ((sent = Sockets.send(pair[0], buffer, 4096)) > 0) {
            taken += sent;
        }
        assertThat(sent).as("full: EAGAIN").isEqualTo(-1);
        assertThat(taken).isPositive();

        Sockets.shutdownOutput(pair[0]);
        Received received = new Received();
        long read = 0;
        int n;
        while ((n = Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), received)) > 0) {
            read += n;
        }
        assertThat(read).isEqualTo(taken);
        assertThat(n).as("end of stream after the bytes sent").isZero();
        assertThat(Sockets.send(pair[1], text("back"), 4)).as("the other direction still works").isEqualTo(4);

        int[] another = pair(Sockets.SOCK_STREAM);
        Libc.close(another[1]);
        opened.remove((Integer) another[1]);
        assertThatThrownBy(() -> Sockets.send(another[0], text("x"), 1))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EPIPE)).isTrue())
                .hasMessageStartingWith("send(fd " + another[0] + ") failed: EPIPE").hasMessageContaining("the peer has closed its end");
    }

    @Test
    @DisplayName("intOption: SO_TYPE and SO_ACCEPTCONN say what a descriptor is; ENOTSOCK for a pipe")
    void whatADescriptorIs() throws Exception {
        String name = "ipclab-sockets-option-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int listener = Sockets.listenUnixAbstract(name, Sockets.SOCK_SEQPACKET);
        opened.add(listener);
        assertThat(Sockets.intOption(listener, Sockets.SO_ACCEPTCONN)).as("a listening socket").isEqualTo(1);
        assertThat(Sockets.intOption(listener, Sockets.SO_TYPE)).isEqualTo(Sockets.SOCK_SEQPACKET);
        int[] stream = pair(Sockets.SOCK_STREAM);
        assertThat(Sockets.intOption(stream[0], Sockets.SO_ACCEPTCONN)).as("a connected socket").isZero();
        assertThat(Sockets.intOption(stream[0], Sockets.SO_TYPE)).isEqualTo(Sockets.SOCK_STREAM);
        int[] pipe = Libc.pipe2(Libc.O_CLOEXEC);
        opened.add(pipe[0]);
        opened.add(pipe[1]);
        assertThatThrownBy(() -> Sockets.intOption(pipe[0], Sockets.SO_TYPE))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ENOTSOCK)).isTrue());
    }

    // --- helpers -------------------------------------------------------------------------------

    @Test
    @DisplayName("seqpacket on a path: a socket file, peer credentials, and a record longer than the buffer cut, the next one whole")
    void seqpacketOnAPath(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("rpc.sock");
        int listener = Sockets.listenUnixPath(path, Sockets.SOCK_SEQPACKET);
        opened.add(listener);
        assertThat(Files.getAttribute(path, "unix:mode")).satisfies(m -> assertThat((Integer) m & 0170000).as("S_IFSOCK").isEqualTo(0140000));
        int client = Sockets.connectUnixPath(path, Sockets.SOCK_SEQPACKET);
        opened.add(client);
        int server = Sockets.accept4(listener, 0);
        opened.add(server);
        assertThat(Sockets.peerCredentials(server)).isEqualTo(new Sockets.PeerCredentials(Libc.getpid(), Libc.geteuid(), effectiveGid()));

        MemorySegment large = arena.allocate(100 * 1024);
        assertThat(Sockets.send(client, large, large.byteSize())).as("one record, sent whole").isEqualTo(100 * 1024);
        assertThat(Sockets.send(client, text("next"), 4)).isEqualTo(4);
        Received received = new Received();
        assertThat(Sockets.recvmsg(server, buffer, buffer.byteSize(), received)).as("as much as the buffer holds").isEqualTo(65536);
        assertThat(received.dataTruncated()).as("MSG_TRUNC").isTrue();
        assertThat(received).hasToString("Received[65536 bytes, descriptors [], data truncated]");
        assertThat(Sockets.recvmsg(server, buffer, buffer.byteSize(), received)).as("the rest was dropped, the next record is whole").isEqualTo(4);
        assertThat(string(buffer, 4)).isEqualTo("next");
        assertThat(received.dataTruncated()).isFalse();
    }

    @Test
    @DisplayName("a stream has no records: what does not fit waits for the next read, and nothing says truncated")
    void streamIsNeverDataTruncated() throws Exception {
        int[] pair = pair(Sockets.SOCK_STREAM);
        Sockets.send(pair[0], text("0123456789"), 10);
        Received received = new Received();
        assertThat(Sockets.recvmsg(pair[1], buffer, 4, received)).isEqualTo(4);
        assertThat(received.dataTruncated()).isFalse();
        assertThat(Sockets.recvmsg(pair[1], buffer, buffer.byteSize(), received)).isEqualTo(6);
    }

    @Test
    @DisplayName("a socket file outlives its socket: bind then says EADDRINUSE, connect ECONNREFUSED; without it, ENOENT")
    void staleSocketFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("stale.sock");
        Libc.close(Sockets.listenUnixPath(path, Sockets.SOCK_STREAM));
        assertThat(path).exists();
        assertThatThrownBy(() -> Sockets.listenUnixPath(path, Sockets.SOCK_STREAM))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EADDRINUSE)).isTrue())
                .hasMessageStartingWith("bind(").hasMessageContaining(path.toString()).hasMessageContaining("even a stale one");
        assertThatThrownBy(() -> Sockets.connectUnixPath(path, Sockets.SOCK_STREAM))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ECONNREFUSED)).isTrue())
                .hasMessageContaining("the socket file is stale");
        Files.delete(path);
        assertThatThrownBy(() -> Sockets.connectUnixPath(path, Sockets.SOCK_STREAM))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue())
                .hasMessageContaining("no socket file has that path");
    }

    @Test
    @DisplayName("a path longer than sun_path holds is refused before any call, naming the path")
    void pathTooLong(@TempDir Path dir) {
        Path path = dir.resolve("x".repeat(120) + ".sock");
        long before = OpenDescriptors.count();
        assertThatThrownBy(() -> Sockets.listenUnixPath(path, Sockets.SOCK_SEQPACKET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the socket path " + path + " has ")
                .hasMessageEndingWith("sun_path holds 108, one of them the terminating NUL: use a shorter directory");
        assertThatThrownBy(() -> Sockets.connectUnixPath(path, Sockets.SOCK_SEQPACKET)).isInstanceOf(IllegalArgumentException.class);
        assertThat(OpenDescriptors.count()).as("no socket made for nothing").isEqualTo(before);
    }

    private int[] pair(int type) throws ErrnoException {
        int[] pair = Sockets.socketpair(type);
        opened.add(pair[0]);
        opened.add(pair[1]);
        return pair;
    }

    private MemorySegment text(String text) {
        return arena.allocateFrom(text, StandardCharsets.US_ASCII);
    }

    private static String string(MemorySegment segment, int length) {
        return new String(segment.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** One byte with two descriptors in one SCM_RIGHTS message, which Sockets.sendmsg never sends. */
    private void sendTwoDescriptors(int socket, int first, int second) throws ErrnoException {
        MemorySegment control = arena.allocate(MessageHeader.controlSpace(2), 8);
        control.set(JAVA_LONG, 0, MessageHeader.controlLength(2));
        control.set(JAVA_INT, 8, MessageHeader.SOL_SOCKET);
        control.set(JAVA_INT, 12, MessageHeader.SCM_RIGHTS);
        control.set(JAVA_INT, MessageHeader.CMSG_HEADER, first);
        control.set(JAVA_INT, MessageHeader.CMSG_HEADER + 4, second);
        MemorySegment iov = arena.allocate(MessageHeader.IOVEC);
        iov.set(ADDRESS, 0, text("b"));
        iov.set(JAVA_LONG, 8, 1L);
        MemorySegment msg = arena.allocate(MessageHeader.MSGHDR);
        msg.set(ADDRESS, MessageHeader.offsetOf("msg_iov"), iov);
        msg.set(JAVA_LONG, MessageHeader.offsetOf("msg_iovlen"), 1L);
        msg.set(ADDRESS, MessageHeader.offsetOf("msg_control"), control);
        msg.set(JAVA_LONG, MessageHeader.offsetOf("msg_controllen"), control.byteSize());
        assertThat(Downcall.retryingEintr("sendmsg", "fd " + socket, state -> (long) SENDMSG.invokeExact(state, socket, msg, 0)))
                .isEqualTo(1);
    }

    /** The effective group id, the third field of the "Gid:" line of /proc/self/status. */
    private static int effectiveGid() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Gid:")) {
                return Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        throw new IllegalStateException("no Gid: line in /proc/self/status");
    }
}
