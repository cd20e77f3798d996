package ipclab.lab01;

/** How two descriptors relate, from the closest kinship to none. */
public enum Relation {
    /**
     * Both point to one open file description: one came from the other by dup(2), dup2(2),
     * fcntl(F_DUPFD), fork(2) or descriptor passing. They share the offset and the status flags;
     * kcmp(2) with KCMP_FILE returns 0.
     */
    SAME_OPEN_FILE_DESCRIPTION,
    /**
     * Two open file descriptions of one file (the same device and inode number): the file was
     * opened twice, perhaps under two names. Each has its own offset and status flags.
     */
    SAME_INODE,
    /** Different files altogether. */
    UNRELATED
}
