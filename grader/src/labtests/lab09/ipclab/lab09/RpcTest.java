package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RpcTest {

    private static final String STEP = "Step 7: Calls on the loop";

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("the parent calls the child, and the child, inside that call, calls the parent back")
    void callsBothWays() throws Exception {
        long ourPid = ProcessHandle.current().pid();
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            Rpc rpc = new Rpc(session.channel())
                    .register("ping", params -> TestKit.json().put("pong", ourPid).put("from", params.path("from").asLong()));
            session.channel().start();
            session.next("the child's greeting never arrived");
            JsonNode sum = Await.await(rpc.call("add", TestKit.json().put("a", 2).put("b", 3)), TestKit.DEADLINE,
                    "call \"add\" got no answer: does the callee send {\"rpc\":\"result\"} with the call's id, and does call() match it?");
            assertThat(sum.asInt()).as("the child's \"add\" of 2 and 3").isEqualTo(5);
            JsonNode nested = Await.await(rpc.call("callParent", TestKit.json()), TestKit.DEADLINE,
                    "call \"callParent\" got no answer: while it runs the child calls our \"ping\"; its handler is registered with "
                            + "registerAsync and answers when the inner call's stage completes");
            assertThat(nested.path("child").asLong()).as("the outer call was answered by the child").isEqualTo(session.pid());
            assertThat(nested.path("parentSaid").path("pong").asLong())
                    .as("inside it, the child called our \"ping\" and got our answer").isEqualTo(ourPid);
            assertThat(nested.path("parentSaid").path("from").asLong())
                    .as("our handler got the child's params").isEqualTo(session.pid());
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a remote exception and an unknown method come back as RemoteCallException, an unanswered call times out naming the method")
    void errorsAndTimeout() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            Rpc rpc = new Rpc(session.channel());
            session.channel().start();
            session.next("the child's greeting never arrived");
            Throwable thrown = Await.failureOf(rpc.call("fail", TestKit.json().put("why", "on purpose")), TestKit.DEADLINE, "call \"fail\" never finished");
            assertThat(thrown).as("the child's handler threw IllegalArgumentException(\"boom: on purpose\")")
                    .isInstanceOf(RemoteCallException.class);
            assertThat(((RemoteCallException) thrown).remoteMessage()).as("the remote message is carried back")
                    .contains("boom: on purpose");
            Throwable unknown = Await.failureOf(rpc.call("noSuchMethod", TestKit.json()), TestKit.DEADLINE, "call \"noSuchMethod\" never finished");
            assertThat(unknown).as("a method the child never registered").isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("noSuchMethod").hasMessageContaining("unknown method");
            Throwable late = Await.failureOf(rpc.call("hang", TestKit.json(), Duration.ofMillis(300)), TestKit.DEADLINE,
                    "call \"hang\" with a 300 ms timeout never finished: schedule a loop timer when the call is sent");
            assertThat(late).as("\"hang\" never answers; after 300 ms the call fails").isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("hang").hasMessageContaining("300 ms");
        }
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("a call waiting for its answer fails at once with ChannelClosedException when the child dies")
    void pendingCallsFailOnDisconnect() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            Rpc rpc = new Rpc(session.channel());
            session.channel().start();
            session.next("the child's greeting never arrived");
            CompletableFuture<JsonNode> waiting = rpc.call("hang", TestKit.json(), Duration.ofSeconds(60));
            session.forked().child().close(); // SIGKILL: the kernel closes its end, we read EOF
            Throwable failure = Await.failureOf(waiting, TestKit.DEADLINE, "the call kept waiting after the child died: on disconnect, fail every pending call");
            assertThat(failure).as("the channel's EOF must fail the pending call").isInstanceOf(ChannelClosedException.class)
                    .hasMessageContaining("hang");
            Await.await(session.channel().whenClosed(), TestKit.DEADLINE, "the channel did not close after the child died");
        }
    }
}
