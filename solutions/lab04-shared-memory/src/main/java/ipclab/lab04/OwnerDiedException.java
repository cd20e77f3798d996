package ipclab.lab04;

/**
 * A cross-process mutex is held by a process that no longer exists. It died holding the lock (killed,
 * crashed, exited without unlocking), so nobody will ever unlock it, and the data the lock protects
 * may be half updated. Deciding whether that data can be repaired is the application's job; after
 * that, {@link FutexMutex#breakLock(int)} frees the mutex.
 */
public final class OwnerDiedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int owner;

    public OwnerDiedException(int owner) {
        super("the mutex is held by process " + owner + ", which no longer exists: it died holding the lock."
                + " The data the lock protects may be half updated; check it, then call breakLock(" + owner + ")");
        this.owner = owner;
    }

    /** The pid of the dead owner, as the mutex word names it. */
    public int owner() {
        return owner;
    }
}
