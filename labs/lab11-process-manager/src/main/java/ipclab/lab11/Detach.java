package ipclab.lab11;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The daemon's check that it was started detached: the leader of a session of its own, with no
 * controlling terminal. A terminal's hangup then has nobody of ours to send SIGHUP to, and no key
 * typed into a shell reaches us. {@code pm} starts the daemon so ({@code POSIX_SPAWN_SETSID}); a
 * daemon started by hand from a shell is refused rather than left to die with that shell.
 */
public final class Detach {

    private Detach() {
    }

    /**
     * @throws IllegalStateException "not detached: …" when this process is not a session leader, or has a
     *                               controlling terminal
     */
    public static void check() throws ErrnoException {
        throw new UnsupportedOperationException("TODO: throw IllegalStateException(\"not detached: ...\") unless this process leads its own session (getsid(0) == getpid()) and has no controlling terminal (ttyNr() is 0; handout, step 4)");
    }

    /** Field 7 of /proc/self/stat: the controlling terminal's device number, 0 for none. */
    private static int ttyNr() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // pid (comm) state ppid pgrp session tty_nr: comm may hold spaces and ')', so split after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[4]);
        } catch (IOException e) {
            throw new IllegalStateException("reading /proc/self/stat: " + e.getMessage(), e);
        }
    }
}
