package ipclab.grader;

/**
 * A graded test as the parent grader found it in the compiled tests, before any lab code ran:
 * what it is called, what it is worth and whether it is hidden. The runner's events only say
 * whether it passed.
 *
 * @param id      JUnit's unique id, the same in the parent and in the runner
 * @param handout the handout heading to read when it fails, or {@code null}
 */
record PlannedTest(String id, String className, String method, String name, int points, String handout, boolean hidden) {
}
