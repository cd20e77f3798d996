package ipclab.lab01;

import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.ScratchFolder;
import ipclab.support.demo.Narrator;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Lab 01 live: the three tables behind a descriptor, in this JVM and in a child JVM, seen through
 * the lab's {@link FdTable} and through the kernel's own {@code /proc}. Run it with
 * {@code ./ipclab demo fd-table}; {@code --no-pause} runs it straight through.
 */
public final class Demo {

    /** Where the child opens the file: a number far above the few dozen a JVM uses itself. */
    private static final int CHILD_FD = 300;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();
    private final Deque<Integer> opened = new ArrayDeque<>();

    private Demo(Narrator n) {
        this.n = n;
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        Demo demo = new Demo(n);
        try (ScratchFolder dir = ScratchFolder.create("ipclab-fd-table-")) {
            Path file = Files.writeString(dir.resolve("notes.txt"), "hello, descriptors\n");
            try {
                demo.run(file, dir.resolve("out.txt"));
            } finally {
                demo.closeAll();
            }
        }
        n.step("Done");
        n.say("Every descriptor the demo opened is closed, the child is gone and the files are removed.");
    }

    private void run(Path file, Path out) throws Exception {
        n.step("Three descriptors, one file");
        int first = keep(Libc.open(file, Libc.O_RDONLY, 0));
        int second = keep(Libc.open(file, Libc.O_RDONLY, 0));
        int copy = keep(Libc.dup(first));
        n.say("open(" + file.getFileName() + ") twice gave fd " + first + " and fd " + second
                + "; dup(" + first + ") gave fd " + copy + ".");
        n.say("This JVM (pid " + pid + "), read with FdTable:");
        show(FdTable.self(), List.of(0, 1, 2, first, second, copy));
        n.say("The kernel's own view: each descriptor is a magic link in /proc/PID/fd ...");
        n.shell("ls", "-l", "/proc/" + pid + "/fd");
        n.say("(An entry ls cannot read was closed while it looked: the pipes this JVM made to start ls.)");
        n.say("... and a small text file in /proc/PID/fdinfo (flags in octal):");
        n.shell("cat", fdinfo(pid, first));

        n.step("The offset lives in the open file description");
        byte[] bytes = new byte[6];
        int got = Libc.read(copy, bytes, 0, bytes.length);
        n.say("read(fd " + copy + ", 6) returned \"" + new String(bytes, 0, got, StandardCharsets.UTF_8) + "\".");
        n.say("fd " + copy + " and fd " + first + " share one open file description, so both moved; fd "
                + second + " was opened on its own and did not:");
        n.shell("grep", "-H", "pos:", fdinfo(pid, first), fdinfo(pid, second), fdinfo(pid, copy));

        n.step("A child JVM that inherits stdout");
        try (ChildProcess child = FdHolder.start(Redirect.INHERIT, Map.of(CHILD_FD, file), DEADLINE)) {
            n.say("The child (pid " + child.pid() + ") inherited our fd 1 (fork and exec keep it), and opened "
                    + file.getFileName() + " itself as fd " + CHILD_FD + ":");
            show(FdTable.of(child.pid()), List.of(0, 1, 2, CHILD_FD));
            n.shell("ls", "-l", "/proc/" + child.pid() + "/fd");
            n.say("Both fd 1 entries are one open file description: one offset for both processes");
            n.say("(it only counts up when stdout is a file: try ./ipclab demo fd-table --no-pause > out.txt).");
            n.shell("grep", "-H", "pos:", fdinfo(pid, 1), fdinfo(child.pid(), 1));

            n.step("Four ways two descriptors relate");
            n.say("kcmp(KCMP_FILE) answers \"one open file description?\"; stat through /proc/PID/fd/N answers \"one inode?\".");
            relate("two fds, one process, dup", FdRef.self(first), FdRef.self(copy));
            relate("two fds, one process, opened twice", FdRef.self(first), FdRef.self(second));
            relate("same number, two processes, inherited", FdRef.self(1), new FdRef(child.pid(), 1));
            relate("same number, two processes, different files", FdRef.self(0), new FdRef(child.pid(), 0));
            relate("different numbers, two processes, one file", FdRef.self(first), new FdRef(child.pid(), CHILD_FD));

            n.say("Closing the child's stdin; it sees end of file and exits.");
            n.say("The child exited with status " + FdHolder.release(child, DEADLINE) + ".");
        }

        n.step("Descriptor flags and status flags");
        int cloexec = keep(Libc.open(file, Libc.O_RDONLY | Libc.O_CLOEXEC, 0));
        int dupOfCloexec = keep(Libc.dup(cloexec));
        Libc.fcntl(first, Libc.F_SETFL, Libc.fcntl(first, Libc.F_GETFL) | Libc.O_NONBLOCK);
        n.say("open(O_CLOEXEC) gave fd " + cloexec + "; dup(" + cloexec + ") gave fd " + dupOfCloexec
                + ": FD_CLOEXEC belongs to a descriptor and dup does not copy it.");
        n.say("fcntl(fd " + first + ", F_SETFL, O_NONBLOCK): a status flag of the open file description, so fd "
                + copy + " has it too, and fd " + second + " does not.");
        show(FdTable.self(), List.of(first, second, copy, cloexec, dupOfCloexec));
        n.shell("grep", "-H", "flags:", fdinfo(pid, first), fdinfo(pid, second), fdinfo(pid, copy),
                fdinfo(pid, cloexec), fdinfo(pid, dupOfCloexec));

        n.step("cmd > file, by hand");
        n.say("StdoutRedirect: save fd 1 with F_DUPFD_CLOEXEC, dup2 the file onto 1, run, dup2 the copy back.");
        StdoutRedirect.intoFile(out, () -> {
            byte[] line = ("written to fd 1 by pid " + pid + " while fd 1 was " + out.getFileName() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Libc.write(StdoutRedirect.STDOUT, line, 0, line.length);
            System.out.println("and this went through System.out");
        });
        n.say("Back on the old stdout. The file holds:");
        n.shell("cat", out.toString());
    }

    private int keep(int fd) {
        opened.push(fd);
        return fd;
    }

    private void closeAll() throws IOException {
        while (!opened.isEmpty()) {
            Libc.close(opened.pop());
        }
    }

    private void relate(String what, FdRef a, FdRef b) throws IOException {
        n.say(String.format("%-46s %-16s %-16s -> %s", what, a, b, FdRelations.classify(a, b)));
    }

    private void show(FdTable table, List<Integer> fds) {
        n.say(String.format("%4s  %-12s %-6s %-22s %6s %9s  %s", "fd", "kind", "mode", "flags", "offset", "inode", "target"));
        for (int fd : fds) {
            table.entry(fd).ifPresentOrElse(
                    e -> n.say(String.format("%4d  %-12s %-6s %-22s %6d %9d  %s",
                            e.fd(), e.kind(), mode(e), flagNames(e), e.offset(), e.inode(), e.target())),
                    () -> n.say(String.format("%4d  (not open)", fd)));
        }
    }

    private static String mode(FdEntry e) {
        return switch (e.accessMode()) {
            case READ_ONLY -> "r";
            case WRITE_ONLY -> "w";
            case READ_WRITE -> "rw";
        };
    }

    private static String flagNames(FdEntry e) {
        StringJoiner names = new StringJoiner(",");
        if (e.append()) {
            names.add("append");
        }
        if (e.nonBlocking()) {
            names.add("nonblock");
        }
        if (e.closeOnExec()) {
            names.add("cloexec");
        }
        return names.length() == 0 ? "-" : names.toString();
    }

    private static String fdinfo(long pid, int fd) {
        return "/proc/" + pid + "/fdinfo/" + fd;
    }
}
