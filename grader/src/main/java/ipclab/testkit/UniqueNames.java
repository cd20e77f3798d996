package ipclab.testkit;

import ipclab.support.RunTag;
import java.nio.file.Path;

/**
 * Names for what a test creates outside its own temp folder: {@code /dev/shm} files, POSIX
 * queues, abstract socket names. They live in one namespace for the whole machine, where another
 * student's grading may be running at the same moment; a name carries the run's tag
 * ({@link RunTag}), so it never collides and the grader can tell this run's leftovers from
 * another's, and the word {@code test}, so a leftover is known as the test's, not the lab's.
 */
public final class UniqueNames {

    private UniqueNames() {
    }

    /** {@code ipclab-<run tag>-test-<purpose>-<random>}: a fresh name for one thing a test creates. */
    public static String of(String purpose) {
        return RunTag.uniqueName("test-" + purpose);
    }

    /** A fresh path in /dev/shm, POSIX shared memory's folder. */
    public static Path inDevShm(String purpose) {
        return Path.of("/dev/shm", of(purpose));
    }
}
