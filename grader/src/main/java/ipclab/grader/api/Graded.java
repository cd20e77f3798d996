package ipclab.grader.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a graded test: how many points it is worth and where the lab's handout explains what
 * it checks. A lab's graded tests add up to 100 points (the project's own tests check that).
 *
 * <pre>{@code
 * @Test
 * @Graded(points = 10, handout = "Step 3: EOF needs every write end closed")
 * @DisplayName("the reader sees EOF only after every write end is closed")
 * void eofAfterLastWriteEnd() { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Graded {

    /** Points earned when the test passes (and leaves nothing behind). */
    int points();

    /** The heading of the handout section to read when this test fails. */
    String handout();
}
