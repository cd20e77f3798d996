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
        // The kernel compares the struct file pointers of both descriptor tables: only it can tell,
        // since no field in /proc names an open file description.
        if (Libc.kcmp(a.pid(), b.pid(), Libc.KCMP_FILE, a.fd(), b.fd()) == 0) {
            return Relation.SAME_OPEN_FILE_DESCRIPTION;
        }
        // An inode number is unique only within one file system: compare the device too.
        Map<String, Object> fileA = Files.readAttributes(a.procLink(), "unix:dev,ino");
        Map<String, Object> fileB = Files.readAttributes(b.procLink(), "unix:dev,ino");
        return fileA.equals(fileB) ? Relation.SAME_INODE : Relation.UNRELATED;
    }
}
