package ipclab.lab01;

import ipclab.support.Libc;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

/** Decides how two descriptors relate, in one process or in two. */
public final class FdRelations {

    private FdRelations() {
    }

    /**
     * Classifies two descriptors: one open file description (kcmp(2) with {@code KCMP_FILE} returns
     * 0), else the same inode (stat(2) through {@code /proc/PID/fd/N} gives equal {@code st_dev} and
     * {@code st_ino}), else unrelated.
     *
     * @throws ipclab.support.ErrnoException when kcmp fails, e.g. EBADF for a descriptor that is not open
     */
    public static Relation classify(FdRef a, FdRef b) throws IOException {
        throw new UnsupportedOperationException("TODO: kcmp(2) KCMP_FILE == 0 means one open file description; else compare st_dev and st_ino through /proc/PID/fd/N");
    }
}
