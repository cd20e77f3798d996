package ipclab.lab11;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process group as a whole: the unit a fork-mode app is stopped as. Given code.
 */
public final class ProcessGroup {

    private ProcessGroup() {
    }

    /**
     * Sends {@code signal} to every process of group {@code pgid}: {@code kill(-pgid, signal)}. A group
     * that has no process left (ESRCH) is not an error: there is nothing left to signal.
     *
     * @throws ErrnoException EPERM when a member is not ours (it changed its uid): say so, it will not stop
     */
    public static void signal(int pgid, int signal) throws ErrnoException {
        try {
            Libc.killpg(pgid, signal);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ESRCH) {
                throw e;
            }
        }
    }

    /**
     * Whether group {@code pgid} has no running process left.
     *
     * <p>{@code kill(-pgid, 0)} answering ESRCH is the kernel's word that the group is empty. But it
     * succeeds as long as one member is a <em>zombie</em>: a process that has exited and that its
     * parent has not reaped yet. A grandchild that was re-parented when its parent died belongs to
     * init or to the nearest subreaper ({@code systemd --user}, the grader), which reaps it when it
     * gets round to it, or never. Such a zombie runs no code and holds nothing but its pid; waiting
     * for it would make a stop wait on someone else's {@code waitpid}. So a group whose remaining
     * members are all zombies (state {@code Z} in {@code /proc/PID/stat}) counts as empty here.
     */
    public static boolean isEmpty(int pgid) {
        try {
            Libc.killpg(pgid, 0);
        } catch (ErrnoException e) {
            return e.errno() == Errno.ESRCH; // EPERM: someone is there, and not ours
        }
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .noneMatch(pid -> runsIn(pid, pgid));
        } catch (IOException e) {
            return false; // cannot tell: not empty, so that the stop goes on to SIGKILL
        }
    }

    /** Whether process {@code pid} is a member of {@code pgid} and not a zombie, from /proc/PID/stat. */
    private static boolean runsIn(String pid, int pgid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", pid, "stat"));
        } catch (IOException e) {
            return false; // it ended while we looked
        }
        // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[2]) == pgid && !fields[0].equals("Z") && !fields[0].equals("X");
    }
}
