package ipclab.support;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names for things that live outside a test's own folder — {@code /dev/shm} files, POSIX queues,
 * abstract socket names — unique per run, so that two students grading on one machine never
 * collide, and so that the grader can tell this run's leftovers from another run's.
 *
 * <p>Under the grader every process of a run inherits the variable {@code IPCLAB_RUN}; its first
 * characters are the tag. Elsewhere (a demo, a benchmark) the tag is this process's pid.
 */
public final class RunTag {

    /** The environment variable the grader sets for every process of one run. */
    public static final String VARIABLE = "IPCLAB_RUN";

    private static final int TAG_LENGTH = 8;

    private RunTag() {
    }

    /** This run's tag: the grader's run token shortened, or this process's pid outside the grader. */
    public static String current() {
        String token = System.getenv(VARIABLE);
        if (token == null || token.isBlank()) {
            return Long.toString(ProcessHandle.current().pid());
        }
        String letters = token.replaceAll("[^A-Za-z0-9]", "");
        return letters.substring(0, Math.min(TAG_LENGTH, letters.length()));
    }

    /** {@code ipclab-<tag>-<purpose>-<random>}: a fresh name for one thing this run creates. */
    public static String uniqueName(String purpose) {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "ipclab-" + current() + "-" + purpose + "-" + HexFormat.of().formatHex(random);
    }
}
