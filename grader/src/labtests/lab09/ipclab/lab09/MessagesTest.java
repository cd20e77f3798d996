package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MessagesTest {

    private static final String STEP = "Step 5: Write on the loop";
    private static final int COUNT = 1000;

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("1,000 messages go to the child and come back in order, and 1,000 the child sends arrive in order")
    void thousandEachWayInOrder() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            session.channel().start();
            assertThat(session.next("the child's greeting never arrived: does the channel read, split and dispatch on the loop (step 4), and write (step 5)?")
                    .path("hello").asLong()).as("the child's first message is its greeting with its pid").isEqualTo(session.pid());
            for (int i = 0; i < COUNT; i++) {
                session.channel().send(TestKit.json().put("echo", true).put("n", i).put("text", "ünïcødé \"quoted\"\nline " + i));
            }
            session.channel().send(TestKit.json().put("burst", COUNT));
            for (int i = 0; i < COUNT; i++) {
                JsonNode echo = session.next("echo " + i + " of " + COUNT + " never came back");
                assertThat(echo.path("n").asInt())
                        .as("echoes come back in the order sent; a different number means lines were lost, split or reordered")
                        .isEqualTo(i);
                assertThat(echo.path("text").asText())
                        .as("the text survives the round trip (UTF-8, quotes, a newline inside a JSON string)")
                        .isEqualTo("ünïcødé \"quoted\"\nline " + i);
            }
            for (int i = 0; i < COUNT; i++) {
                JsonNode own = session.next("message " + i + " of the child's burst never arrived");
                assertThat(own.path("from").asText() + " " + own.path("n").asInt())
                        .as("the child's own messages arrive in the order it sent them").isEqualTo("child " + i);
            }
        }
    }
}
