package ipclab.lab11;

import java.nio.file.Path;

/**
 * Thrown by {@link PidFile#acquire} when another daemon holds the lock on {@code pm.pid}: this one
 * must touch nothing and exit. pm2 has no lock, so a second daemon overwrites {@code pm2.pid}, and
 * deletes it when it stops (the handout's "What pm2 does"). Given code.
 */
public final class AlreadyRunning extends Exception {

    private final long pid;

    /**
     * @param pidFile the locked file
     * @param pid     the holder's pid as the file says it, or -1 when it has not written it yet
     */
    public AlreadyRunning(Path pidFile, long pid) {
        super("another daemon (pid " + (pid > 0 ? pid : "not written yet") + ") holds " + pidFile);
        this.pid = pid;
    }

    /** The pid the lock holder wrote into the file, or -1 when it has not written it yet. */
    public long pid() {
        return pid;
    }
}
