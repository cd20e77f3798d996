package ipclab.grader;

/**
 * The result of one graded test, as every report shows it.
 *
 * @param number    {@code "2.5"}: lab 2, fifth test (Gradescope's test number)
 * @param name      what the test checks, as a sentence
 * @param score     points earned
 * @param maxScore  points it is worth
 * @param output    why it failed (empty when it passed)
 * @param handout   the handout section to read when it fails, or {@code null}
 * @param hidden    an instructor's hidden test
 */
public record TestOutcome(String number, String name, int score, int maxScore, boolean passed, String output,
                          String handout, boolean hidden) {
}
