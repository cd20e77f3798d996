/**
 * What every lab's graded tests share, compiled with the grader and on every lab's test class path.
 *
 * <p>The graded tests must judge a lab by the kernel's word, never by the lab's own code, so they
 * need their own readers of {@code /proc}, their own way to wait without hanging the run, and their
 * own clean-up. Written once here, they compile with the grader's warnings on, are covered by the
 * grader's self-tests, and are the same readers the grader's leak checks use: a test and the leak
 * check can never disagree about what a process has open. What belongs to one lesson alone (a
 * FIFO's wait in open(2), a futex word, a signal mask) stays in that lab's {@code TestKit}.
 */
package ipclab.testkit;
