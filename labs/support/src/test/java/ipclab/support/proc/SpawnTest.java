package ipclab.support.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.testing.OpenDescriptors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Timeout(60) // a read that blocks by mistake fails the test instead of hanging the build
class SpawnTest {

    @Test
    @DisplayName("argv, the environment and the directory reach the child, nothing else of ours; its stdout is our pipe")
    void argvEnvironmentAndDirectory(@TempDir Path dir) throws Exception {
        Path home = dir.toRealPath();
        int[] out = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        try (Child child = Child.spawn(Spawn.Request.of(List.of("sh", "-c", "printf '%s|%s|%s' \"$GREETING\" \"$PWD\" \"${HOME-unset}\""))
                .withEnv(Map.of("GREETING", "hello there"))
                .withCwd(home)
                .withStdio(devNull, out[1], devNull))) {
            Libc.close(out[1]);
            out[1] = -1;
            assertThat(Fds.readToEnd(out[0])).isEqualTo("hello there|" + home + "|unset");
            assertThat(child.await()).isEqualTo(WaitStatus.exited(0));
        } finally {
            Fds.closeAll(out[0], out[1], devNull);
        }
    }

    @ParameterizedTest(name = "closefrom_np {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("the child has exactly 0, 1, 2 and its extra descriptors, even swapped ones, and none of ours")
    void exactlyTheGivenDescriptors(boolean closefrom) throws Exception {
        int[] in = Libc.pipe2(Libc.O_CLOEXEC);
        int[] out = Libc.pipe2(Libc.O_CLOEXEC);
        int[] p = Libc.pipe2(Libc.O_CLOEXEC);
        int[] q = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        // Our a is p's write end and our b is q's; the child gets them the other way round, at the
        // same two numbers, so one dup2 would overwrite the other's source.
        int a = Libc.fcntl(p[1], Libc.F_DUPFD_CLOEXEC, 100);
        int b = Libc.fcntl(q[1], Libc.F_DUPFD_CLOEXEC, a + 1);
        // No close-on-exec, and above the child's numbers: exec alone would hand it to the child.
        int forgotten = Libc.fcntl(devNull, Libc.F_DUPFD, b + 1);
        Spawn.Request cat = Spawn.Request.of(List.of("cat")).withStdio(in[0], out[1], devNull).withExtraFds(Map.of(a, b, b, a));
        try (Child child = new Child(Spawn.spawn(cat, closefrom))) {
            Fds.write(in[1], "x\n");
            assertThat(Fds.readLine(out[0])).as("cat has started and echoes").isEqualTo("x");

            assertThat(Fds.openIn(child.pid)).isEqualTo(Set.of(0, 1, 2, a, b));
            int us = Libc.getpid();
            assertThat(Libc.kcmp(us, child.pid, Libc.KCMP_FILE, q[1], a)).as("the child's a is our b").isZero();
            assertThat(Libc.kcmp(us, child.pid, Libc.KCMP_FILE, p[1], b)).as("the child's b is our a").isZero();
            assertThat(Libc.kcmp(us, child.pid, Libc.KCMP_FILE, in[0], 0)).isZero();

            Libc.close(in[1]);
            in[1] = -1;
            assertThat(child.await()).as("cat reads EOF and exits").isEqualTo(WaitStatus.exited(0));
        } finally {
            Fds.closeAll(in[0], in[1], out[0], out[1], p[0], p[1], q[0], q[1], devNull, a, b, forgotten);
        }
    }

    @Test
    @DisplayName("CLEAN_SIGNALS: a signal this JVM ignores is not ignored in the child, and none is blocked")
    void cleanSignals() throws Exception {
        SignalHandler previous = Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
        try {
            Map<String, Long> inherited = classicSignals(0);
            assertThat(inherited.get("SigIgn") & bit(Libc.SIGHUP)).as("without the flags, exec keeps an ignored signal ignored").isNotZero();
            assertThat(inherited.get("SigBlk") & bit(Libc.SIGQUIT)).as("and the mask: the JVM blocks SIGQUIT in most of its threads").isNotZero();
            assertThat(classicSignals(Spawn.CLEAN_SIGNALS)).isEqualTo(Map.of("SigBlk", 0L, "SigIgn", 0L));
        } finally {
            Signal.handle(new Signal("HUP"), previous);
        }
    }

    private static long bit(int signal) {
        return 1L << (signal - 1);
    }

    /**
     * The signals 1 to 31 the child blocks and ignores, as /proc/self/status shows them (bit n-1 for
     * signal n). Signals 32 and 33 are glibc's own, and glibc's posix_spawn may leave them ignored.
     */
    private static Map<String, Long> classicSignals(int flags) throws Exception {
        int[] out = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        try (Child child = Child.spawn(Spawn.Request.of(List.of("grep", "^Sig[BI]", "/proc/self/status"))
                .withStdio(devNull, out[1], devNull).withFlags(flags))) {
            Libc.close(out[1]);
            out[1] = -1;
            String lines = Fds.readToEnd(out[0]);
            assertThat(child.await()).isEqualTo(WaitStatus.exited(0));
            return lines.lines().map(line -> line.split(":\\s+"))
                    .collect(Collectors.toMap(field -> field[0], field -> Long.parseLong(field[1], 16) & 0x7fffffffL));
        } finally {
            Fds.closeAll(out[0], out[1], devNull);
        }
    }

    @Test
    @DisplayName("a failure in the child before exec is the call's errno, and says whether the program or the directory is missing")
    void failuresBeforeExec(@TempDir Path dir) throws Exception {
        long before = OpenDescriptors.count();
        assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(List.of("ipclab-no-such-program", "x"))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue())
                .hasMessageStartingWith("posix_spawnp(ipclab-no-such-program x) failed: ENOENT")
                .hasMessageEndingWith(": no such program 'ipclab-no-such-program' on PATH");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(List.of("true")).withCwd(missing)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue())
                .hasMessageEndingWith(": the directory to start in, " + missing + ", does not exist");
        assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(List.of(missing.resolve("prog").toString()))))
                .hasMessageStartingWith("posix_spawn(" + missing.resolve("prog") + ") failed: ENOENT")
                .hasMessageEndingWith(": no such program '" + missing.resolve("prog") + "'");
        Path notExecutable = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(List.of(notExecutable.toString()))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.EACCES)).isTrue())
                .hasMessageContaining("may not be executed");
        assertThat(OpenDescriptors.count()).as("nothing left open by the failed calls").isEqualTo(before);
    }

    @Test
    @DisplayName("a request the kernel would refuse is refused before any call")
    void impossibleRequests() {
        Spawn.Request sh = Spawn.Request.of(List.of("sh"));
        assertThatThrownBy(() -> sh.withFlags(Spawn.SETSID | Spawn.SETPGROUP)).hasMessageContaining("EPERM");
        assertThatThrownBy(() -> sh.withExtraFds(Map.of(2, 7))).hasMessageContaining("the child's 3 or more");
        assertThatThrownBy(() -> sh.withEnv(Map.of("A=B", "c"))).hasMessageContaining("has no '='");
        assertThatThrownBy(() -> Spawn.Request.of(List.of())).hasMessageContaining("must name a program");
    }
}
