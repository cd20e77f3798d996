package ipclab.lab01;

import ipclab.grader.api.Graded;
import ipclab.lab01.FdEntry.AccessMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static ipclab.support.Libc.O_APPEND;
import static ipclab.support.Libc.O_CLOEXEC;
import static ipclab.support.Libc.O_NONBLOCK;
import static ipclab.support.Libc.O_RDONLY;
import static ipclab.support.Libc.O_RDWR;
import static ipclab.support.Libc.O_WRONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Steps 1 and 2: text and numbers the kernel prints, parsed without any process involved. */
@Timeout(10)
class FdInfoParsingTest {

    /** O_LARGEFILE on x86-64: the kernel sets it on every open by a 64-bit process. */
    private static final int O_LARGEFILE_X86_64 = 0100000;

    @Test
    @DisplayName("parseFdInfo reads pos (decimal), flags (octal) and ino from real fdinfo texts")
    @Graded(points = 8, handout = "Step 1: Parse fdinfo")
    void parsesFdInfo() {
        FdTable.FdInfo file = FdTable.parseFdInfo("pos:\t1234\nflags:\t02104002\nmnt_id:\t27\nino:\t2146403\n");
        assertThat(file.offset()).as("pos: of 'pos:\\t1234' (decimal)").isEqualTo(1234);
        assertThat(file.flags())
                .as("flags: of 'flags:\\t02104002'. It is octal, as the leading 0 says: parse it with radix 8, "
                        + "giving 0%o = O_CLOEXEC|O_LARGEFILE|O_NONBLOCK|O_RDWR (decimal %d)", 02104002, 02104002)
                .isEqualTo(02104002);
        assertThat(file.inode()).as("ino: of 'ino:\\t2146403'").isEqualTo(2146403L);

        FdTable.FdInfo pipe = FdTable.parseFdInfo("pos:\t0\nflags:\t00\nmnt_id:\t16\nino:\t6986\n");
        assertThat(pipe.flags()).as("flags: of 'flags:\\t00' (a pipe's read end: O_RDONLY, nothing else)").isZero();
        assertThat(pipe.inode()).as("ino: of a pipe").isEqualTo(6986L);

        // An epoll descriptor lists the files it watches after the common lines, with pos: and ino:
        // of their own (ino in hex!). Only the descriptor's own lines count.
        FdTable.FdInfo epoll = FdTable.parseFdInfo("""
                pos:\t0
                flags:\t02000002
                mnt_id:\t17
                ino:\t1038
                tfd:        5 events:       19 data:     7fba00000005  pos:0 ino:40e sdev:10
                """);
        assertThat(epoll.inode())
                .as("ino: of an epoll descriptor whose fdinfo also has a 'tfd: ... ino:40e' line about a watched file: "
                        + "match whole keys at the start of a line, the first one wins")
                .isEqualTo(1038L);
        assertThat(epoll.flags()).as("flags: of the epoll descriptor (O_CLOEXEC|O_RDWR)").isEqualTo(02000002);

        FdTable.FdInfo eventfd = FdTable.parseFdInfo(
                "pos:\t0\nflags:\t04002\nmnt_id:\t17\nino:\t1038\neventfd-count:                0\neventfd-id: 1\n");
        assertThat(eventfd.flags()).as("flags: of an eventfd with extra eventfd-* lines").isEqualTo(04002);

        assertThatThrownBy(() -> FdTable.parseFdInfo("pos:\t0\nmnt_id:\t17\nino:\t1038\n"))
                .as("parseFdInfo of a text without a flags: line must not invent a value: "
                        + "it throws IllegalArgumentException that says what is missing")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("FdEntry decodes the access mode, O_APPEND, O_NONBLOCK and O_CLOEXEC from the flags")
    @Graded(points = 8, handout = "Step 1: Parse fdinfo")
    void decodesFlags() {
        FdEntry readOnly = entry(O_LARGEFILE_X86_64 | O_RDONLY);
        assertThat(readOnly.accessMode())
                .as("access mode of flags 0%o. O_RDONLY is 0, so (flags & O_RDONLY) tests nothing: "
                        + "compare (flags & O_ACCMODE) with O_RDONLY, O_WRONLY and O_RDWR", readOnly.flags())
                .isEqualTo(AccessMode.READ_ONLY);
        assertThat(List.of(readOnly.append(), readOnly.nonBlocking(), readOnly.closeOnExec()))
                .as("append, nonBlocking, closeOnExec of flags 0%o (O_LARGEFILE only)", readOnly.flags())
                .containsExactly(false, false, false);

        FdEntry appender = entry(O_LARGEFILE_X86_64 | O_WRONLY | O_APPEND);
        assertThat(appender.accessMode()).as("access mode of flags 0%o", appender.flags()).isEqualTo(AccessMode.WRITE_ONLY);
        assertThat(appender.append()).as("append() of flags 0%o, which has O_APPEND (02000)", appender.flags()).isTrue();
        assertThat(appender.nonBlocking()).as("nonBlocking() of flags 0%o", appender.flags()).isFalse();

        FdEntry both = entry(O_RDWR | O_NONBLOCK | O_CLOEXEC);
        assertThat(both.accessMode())
                .as("access mode of flags 0%o: O_RDWR is 2, not O_RDONLY|O_WRONLY", both.flags())
                .isEqualTo(AccessMode.READ_WRITE);
        assertThat(both.nonBlocking()).as("nonBlocking() of flags 0%o, which has O_NONBLOCK (04000)", both.flags()).isTrue();
        assertThat(both.closeOnExec()).as("closeOnExec() of flags 0%o, which has O_CLOEXEC (02000000)", both.flags()).isTrue();
        assertThat(both.append()).as("append() of flags 0%o", both.flags()).isFalse();
    }

    @Test
    @DisplayName("kindOf names files, directories, pipes, FIFOs, sockets, anon inodes and devices")
    @Graded(points = 8, handout = "Step 2: Name the kind of a descriptor")
    void namesKinds() {
        record Case(String target, int mode, FdKind expected) {
        }
        List<Case> cases = List.of(
                new Case("/tmp/notes.txt", 0100644, FdKind.FILE),
                new Case("/tmp/notes.txt (deleted)", 0100644, FdKind.FILE),
                new Case("/tmp", 040755, FdKind.DIRECTORY),
                new Case("pipe:[6986]", 010600, FdKind.PIPE),
                new Case("/tmp/requests.fifo", 010644, FdKind.FIFO),
                new Case("socket:[6977]", 0140777, FdKind.SOCKET),
                new Case("anon_inode:[eventpoll]", 0600, FdKind.ANON_INODE),
                new Case("anon_inode:[eventfd]", 0600, FdKind.ANON_INODE),
                new Case("/dev/null", 020666, FdKind.CHAR_DEVICE),
                new Case("/dev/pts/0", 020620, FdKind.CHAR_DEVICE),
                new Case("/dev/sda", 060660, FdKind.BLOCK_DEVICE),
                new Case("/tmp/a-symlink", 0120777, FdKind.OTHER));
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            FdKind got = FdTable.kindOf(c.target(), c.mode());
            if (got != c.expected()) {
                wrong.add(String.format("kindOf(\"%s\", 0%o) returned %s, expected %s", c.target(), c.mode(), got, c.expected()));
            }
        }
        assertThat(wrong)
                .as("the kinds kindOf got wrong. The file type is (mode & S_IFMT); an anonymous pipe and a FIFO are both "
                        + "S_IFIFO and differ in the link text (pipe:[...] or a path); anon inodes have no type bits at all")
                .isEmpty();
    }

    private static FdEntry entry(int flags) {
        return new FdEntry(3, FdKind.FILE, "/tmp/notes.txt", 42, 0, flags);
    }
}
