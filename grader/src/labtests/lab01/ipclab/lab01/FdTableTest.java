package ipclab.lab01;

import ipclab.grader.api.Graded;
import ipclab.lab01.FdEntry.AccessMode;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Step 3: whole descriptor tables, of this process and of a child JVM. */
class FdTableTest {

    private static final int HOLDER_FD = 300;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    @DisplayName("FdTable.self() lists a file, a directory, a pipe, a FIFO, a device, a socket and an epoll, each typed right")
    @Graded(points = 12, handout = "Step 3: Read a process's descriptor table")
    void readsOwnTable(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("log.txt");
        Path fifo = dir.resolve("requests.fifo");
        try (TestFds fds = new TestFds()) {
            int log = fds.open(file, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND);
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            Libc.write(log, hello, 0, hello.length);
            int directory = fds.open(dir, Libc.O_RDONLY);
            int[] pipe = fds.pipe(Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            Libc.mkfifo(fifo, 0600);
            int namedPipe = fds.open(fifo, Libc.O_RDWR | Libc.O_NONBLOCK); // O_RDWR: a FIFO open that need not wait for a peer
            int devNull = fds.open(Path.of("/dev/null"), Libc.O_RDWR);

            FdTable table = FdTable.self();
            assertThat(table.pid()).as("FdTable.self().pid()").isEqualTo(TestFds.SELF);

            FdEntry logEntry = entry(table, log, "a file opened O_WRONLY|O_APPEND, 5 bytes written");
            assertThat(logEntry.kind()).as("kind of fd %d (a regular file)", log).isEqualTo(FdKind.FILE);
            assertThat(logEntry.target()).as("target of fd %d: the link text of /proc/self/fd/%d", log, log)
                    .isEqualTo(file.toRealPath().toString());
            assertThat(logEntry.inode()).as("inode of fd %d: fdinfo's ino:, the file's st_ino", log).isEqualTo(TestFds.inode(file));
            assertThat(logEntry.offset()).as("offset of fd %d after writing 5 bytes: fdinfo's pos:", log).isEqualTo(5);
            assertThat(logEntry.accessMode()).as("access mode of fd %d", log).isEqualTo(AccessMode.WRITE_ONLY);
            assertThat(logEntry.append()).as("append() of fd %d, opened with O_APPEND", log).isTrue();
            assertThat(logEntry.closeOnExec()).as("closeOnExec() of fd %d, opened without O_CLOEXEC", log).isFalse();

            FdEntry dirEntry = entry(table, directory, "a directory opened O_RDONLY");
            assertThat(dirEntry.kind()).as("kind of fd %d, a directory (S_IFDIR)", directory).isEqualTo(FdKind.DIRECTORY);
            assertThat(dirEntry.target()).as("target of fd %d", directory).isEqualTo(dir.toRealPath().toString());

            FdEntry readEnd = entry(table, pipe[0], "the read end of pipe2(O_NONBLOCK|O_CLOEXEC)");
            FdEntry writeEnd = entry(table, pipe[1], "the write end of pipe2(O_NONBLOCK|O_CLOEXEC)");
            assertThat(readEnd.kind()).as("kind of fd %d, a pipe's read end", pipe[0]).isEqualTo(FdKind.PIPE);
            assertThat(readEnd.target()).as("target of a pipe: pipe:[INODE]").isEqualTo("pipe:[" + readEnd.inode() + "]");
            assertThat(writeEnd.inode()).as("inode of the write end: both ends are one pipe inode").isEqualTo(readEnd.inode());
            assertThat(readEnd.accessMode()).as("access mode of the read end").isEqualTo(AccessMode.READ_ONLY);
            assertThat(writeEnd.accessMode()).as("access mode of the write end").isEqualTo(AccessMode.WRITE_ONLY);
            assertThat(readEnd.nonBlocking()).as("nonBlocking() of a pipe made with O_NONBLOCK").isTrue();
            assertThat(writeEnd.closeOnExec()).as("closeOnExec() of a pipe made with O_CLOEXEC").isTrue();

            FdEntry fifoEntry = entry(table, namedPipe, "a FIFO opened O_RDWR|O_NONBLOCK");
            assertThat(fifoEntry.kind()).as("kind of fd %d, a FIFO: S_IFIFO like a pipe, but its link is a path", namedPipe)
                    .isEqualTo(FdKind.FIFO);
            assertThat(fifoEntry.target()).as("target of the FIFO").isEqualTo(fifo.toRealPath().toString());
            assertThat(fifoEntry.accessMode()).as("access mode of the FIFO").isEqualTo(AccessMode.READ_WRITE);

            FdEntry nullEntry = entry(table, devNull, "/dev/null opened O_RDWR");
            assertThat(nullEntry.kind()).as("kind of fd %d, /dev/null (S_IFCHR)", devNull).isEqualTo(FdKind.CHAR_DEVICE);

            // The JDK opens these itself, so their numbers are unknown: look for entries that are new.
            Set<Long> socketsBefore = inodesOf(table, FdKind.SOCKET);
            try (ServerSocketChannel server = ServerSocketChannel.open();
                 Selector selector = Selector.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT); // the epoll instance now watches the socket
                FdTable after = FdTable.self();
                Set<Long> newSockets = inodesOf(after, FdKind.SOCKET);
                newSockets.removeAll(socketsBefore);
                assertThat(newSockets)
                        .as("SOCKET entries that appeared when a ServerSocketChannel was opened "
                                + "(link socket:[INODE], mode S_IFSOCK); your table then:%n%s", after)
                        .isNotEmpty();
                assertThat(after.entries().stream().filter(e -> e.kind() == FdKind.ANON_INODE).map(FdEntry::target))
                        .as("targets of the ANON_INODE entries after Selector.open(), which makes an epoll instance; "
                                + "your table then:%n%s", after)
                        .contains("anon_inode:[eventpoll]");
            }
        } finally {
            Files.deleteIfExists(fifo);
        }
    }

    @Test
    @DisplayName("FdTable.of(pid) reads another process's table: its own descriptors, offsets and numbers")
    @Graded(points = 10, handout = "Step 3: Read a process's descriptor table")
    void readsChildTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shared.txt");
        Files.writeString(file, "0123456789");
        long childPid;
        try (TestFds fds = new TestFds();
             ChildProcess holder = FdHolder.start(Redirect.PIPE, Map.of(HOLDER_FD, file), DEADLINE)) {
            childPid = holder.pid();
            // Our own descriptor for the same file, at offset 7: the child's is at 0.
            int ours = fds.open(file, Libc.O_RDONLY);
            Libc.lseek(ours, 7, Libc.SEEK_SET);

            FdTable table = FdTable.of(childPid);
            assertThat(table.pid()).as("FdTable.of(%d).pid()", childPid).isEqualTo(childPid);
            FdEntry held = entry(table, HOLDER_FD, "the file the child opened as fd " + HOLDER_FD);
            assertThat(held.kind()).as("kind of the child's fd %d", HOLDER_FD).isEqualTo(FdKind.FILE);
            assertThat(held.target()).as("target of the child's fd %d", HOLDER_FD).isEqualTo(file.toRealPath().toString());
            assertThat(held.inode()).as("inode of the child's fd %d", HOLDER_FD).isEqualTo(TestFds.inode(file));
            assertThat(held.offset())
                    .as("offset of the child's fd %d: the child never read, so 0 (our own descriptor for the file is at 7: "
                            + "did you read /proc/self instead of /proc/%d?)", HOLDER_FD, childPid)
                    .isZero();
            assertThat(held.accessMode()).as("access mode of the child's fd %d (opened O_RDONLY)", HOLDER_FD)
                    .isEqualTo(AccessMode.READ_ONLY);
            FdEntry stdin = entry(table, 0, "the child's stdin, a pipe from this JVM");
            assertThat(stdin.kind()).as("kind of the child's fd 0").isEqualTo(FdKind.PIPE);
            assertThat(stdin.accessMode()).as("access mode of the child's fd 0, the read end of its stdin pipe")
                    .isEqualTo(AccessMode.READ_ONLY);
            assertThat(table.entry(999)).as("entry(999) of the child, a number it never opened").isEmpty();
            assertThatThrownBy(() -> FdTable.read(childPid, 999))
                    .as("FdTable.read(pid, 999) for a descriptor that is not open: there is no /proc/PID/fd/999")
                    .isInstanceOf(IOException.class);

            assertThat(FdHolder.release(holder, DEADLINE)).as("exit status of the holder child").isZero();
        }
        assertThatThrownBy(() -> FdTable.of(childPid))
                .as("FdTable.of(%d) after that process exited: /proc/%d is gone, which must be an IOException, "
                        + "not an empty table", childPid, childPid)
                .isInstanceOf(IOException.class);
    }

    private static FdEntry entry(FdTable table, int fd, String what) {
        return table.entry(fd).orElseGet(() -> fail(
                "fd %d (%s) is open, but your table has no entry for it. Every name in /proc/PID/fd is a descriptor.%n%s",
                fd, what, table));
    }

    private static Set<Long> inodesOf(FdTable table, FdKind kind) {
        return table.entries().stream().filter(e -> e.kind() == kind).map(FdEntry::inode).collect(Collectors.toCollection(HashSet::new));
    }
}
