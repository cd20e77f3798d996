package ipclab.support.proc;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.util.List;
import java.util.Optional;

/**
 * A child a test started with {@link Spawn}: reaped once, and killed first if the test did not see
 * it exit, so that no test leaves a process or a zombie behind, also when it fails. The JDK does
 * not know these children, so nothing else would.
 */
final class Child implements AutoCloseable {

    /** Long enough for any child here to exit; reached only when something is wrong. */
    private static final int EXIT_WAIT_MILLIS = 10_000;

    final int pid;
    private WaitStatus status;

    Child(int pid) {
        this.pid = pid;
    }

    static Child spawn(Spawn.Request request) throws ErrnoException {
        return new Child(Spawn.spawn(request));
    }

    /** {@code cat} reading {@code stdin}, its output thrown away: a child that runs until that pipe's write ends are closed. */
    static Spawn.Request catReading(int stdin, int devNull) {
        return Spawn.Request.of(List.of("cat")).withStdio(stdin, devNull, devNull);
    }

    /** {@link PidFd#reap}, remembered. */
    Optional<WaitStatus> reap() throws ErrnoException {
        if (status == null) {
            status = PidFd.reap(pid).orElse(null);
        }
        return Optional.ofNullable(status);
    }

    /** Waits for it to exit, on its pidfd (a bounded wait, unlike a blocking waitpid), and reaps it. */
    WaitStatus await() throws ErrnoException {
        if (status != null) {
            return status;
        }
        int pidfd = PidFd.open(pid);
        try {
            if (Libc.poll(pidfd, Libc.POLLIN, EXIT_WAIT_MILLIS) == 0) {
                throw new AssertionError("pid " + pid + " did not exit within " + EXIT_WAIT_MILLIS + " ms");
            }
        } finally {
            Libc.close(pidfd);
        }
        return reap().orElseThrow(() -> new AssertionError("pid " + pid + "'s pidfd was readable, yet waitpid found it running"));
    }

    /** Kills it if it still runs, and reaps it. */
    @Override
    public void close() throws ErrnoException {
        if (status != null) {
            return;
        }
        try {
            Libc.kill(pid, Libc.SIGKILL);
        } catch (ErrnoException e) {
            if (!e.is(Errno.ESRCH)) {
                throw e;
            }
        }
        await();
    }
}
