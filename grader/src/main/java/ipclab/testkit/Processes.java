package ipclab.testkit;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every process on the machine as {@code /proc} lists it: its state, its parent, its command line.
 * ProcessHandle does not say whether a process is a zombie, and finds no children of a process
 * the JDK did not start: the grader reaps orphans and hunts a run's leftovers with these, and a
 * test can ask who a process's children are.
 */
public final class Processes {

    private Processes() {
    }

    /**
     * A process's state letter, parent, group, session and controlling terminal, from /proc/PID/stat
     * (fields 3–7, proc(5)).
     *
     * @param pgrp    its process group: the group a signal to {@code -pgrp} reaches (a shell's job)
     * @param session its session: the pid of the session's leader, who called setsid(2)
     * @param ttyNr   its controlling terminal's device number (major, minor as the kernel encodes them),
     *                0 when it has none, as a daemon has none
     */
    public record Stat(char state, long parent, long pgrp, long session, int ttyNr) {
        /** Exited and waiting to be reaped (Z), or being removed (X): it holds nothing worth reporting. */
        public boolean zombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /** Every pid in /proc; empty when /proc cannot be listed. */
    public static List<Long> pids() {
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            return proc.map(dir -> dir.getFileName().toString()).filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process's {@link Stat}, or {@code null} when it is gone. */
    public static Stat stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // pid (comm) state ppid pgrp session tty_nr ...: comm may contain spaces and parentheses,
            // so look after the last ')'.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 6);
            return new Stat(after[0].charAt(0), Long.parseLong(after[1]), Long.parseLong(after[2]), Long.parseLong(after[3]),
                    Integer.parseInt(after[4]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The pids whose parent is {@code pid} now, zombies included: also children the JDK did not start, and orphans re-parented to a subreaper. */
    public static List<Long> children(long pid) {
        return pids().stream().filter(child -> {
            Stat stat = stat(child);
            return stat != null && stat.parent() == pid;
        }).toList();
    }

    /** A process's command line, one element per argument; empty when it is gone, or a zombie (which has none). */
    public static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return raw.length == 0 ? List.of() : List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Waits for {@code pid} when it is a zombie whose parent is this JVM. Orphans re-parented to a
     * subreaper (the grader, the runner) become its zombies when they die, and the JDK waits only for
     * the children it started: call this only for a pid the JDK did not start, or its
     * {@code Process.waitFor} would lose the exit status.
     */
    public static void reapOrphan(long pid) {
        Stat stat = stat(pid);
        if (stat != null && stat.zombie() && stat.parent() == ProcessHandle.current().pid()) {
            try {
                Libc.waitpidNoHang(pid);
            } catch (ErrnoException | RuntimeException e) {
                // Reaped by someone else in the meantime.
            }
        }
    }
}
