package ipclab.lab09;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.support.loop.EventLoop;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.FileInputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RpcTest {

    private static final String STEP = "Step 7: Calls on the loop";

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("the parent calls the child, and the child, inside that call, calls the parent back")
    void callsBothWays() throws Exception {
        long ourPid = ProcessHandle.current().pid();
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            Rpc rpc = new Rpc(session.channel())
                    .register("ping", params -> TestKit.json().put("pong", ourPid).put("from", params.path("from").asLong()));
            session.channel().start();
            session.next("the child's greeting never arrived");
            JsonNode sum = TestKit.await(rpc.call("add", TestKit.json().put("a", 2).put("b", 3)),
                    "call \"add\" got no answer: does the callee send {\"rpc\":\"result\"} with the call's id, and does call() match it?");
            assertThat(sum.asInt()).as("the child's \"add\" of 2 and 3").isEqualTo(5);
            JsonNode nested = TestKit.await(rpc.call("callParent", TestKit.json()),
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
    @Graded(points = 4, handout = STEP)
    @DisplayName("a remote exception and an unknown method come back as RemoteCallException, an unanswered call times out naming the method")
    void errorsAndTimeout() throws Exception {
        try (TestKit.Session session = TestKit.Session.open(TestChild.class, "echo")) {
            Rpc rpc = new Rpc(session.channel());
            session.channel().start();
            session.next("the child's greeting never arrived");
            Throwable thrown = TestKit.failureOf(rpc.call("fail", TestKit.json().put("why", "on purpose")), "call \"fail\" never finished");
            assertThat(thrown).as("the child's handler threw IllegalArgumentException(\"boom: on purpose\")")
                    .isInstanceOf(RemoteCallException.class);
            assertThat(((RemoteCallException) thrown).remoteMessage()).as("the remote message is carried back")
                    .contains("boom: on purpose");
            Throwable unknown = TestKit.failureOf(rpc.call("noSuchMethod", TestKit.json()), "call \"noSuchMethod\" never finished");
            assertThat(unknown).as("a method the child never registered").isInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("noSuchMethod").hasMessageContaining("unknown method");
            Throwable late = TestKit.failureOf(rpc.call("hang", TestKit.json(), Duration.ofMillis(300)),
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
            Throwable failure = TestKit.failureOf(waiting, "the call kept waiting after the child died: on disconnect, fail every pending call");
            assertThat(failure).as("the channel's EOF must fail the pending call").isInstanceOf(ChannelClosedException.class)
                    .hasMessageContaining("hang");
            TestKit.await(session.channel().whenClosed(), "the channel did not close after the child died");
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("a call whose send meets a dead peer fails at once with ChannelClosedException, not at its timeout")
    void callAsTheChannelDies() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            Rpc rpc = new Rpc(pair.channel());
            pair.channel().start();
            CompletableFuture<JsonNode> call = pair.onLoop("call never returned", () -> {
                pair.peer().close(); // on the loop, so the channel cannot have read the EOF yet: its send meets EPIPE
                return rpc.call("anything", TestKit.json(), Duration.ofSeconds(60));
            });
            Throwable failure = TestKit.failureOf(call, "the channel closed under the call's own send, and the call kept waiting: "
                    + "a call must be pending before it is sent, so that the disconnect fails it");
            assertThat(failure).isInstanceOf(ChannelClosedException.class).hasMessageContaining("anything");
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("a handle sent to a channel whose only listener is an Rpc is acked and closed: an Rpc never owns one")
    void handleToAnRpcIsClosed() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults(), false)) {
            new Rpc(pair.channel());
            pair.channel().start();
            int before = FdTargets.ofThisProcess().size();
            try (FileInputStream devNull = new FileInputStream("/dev/null")) {
                pair.peer().sendLine(TestKit.line("handle", TestKit.json().put("unwanted", true)), Descriptors.number(devNull.getFD()));
            }
            assertThat(TestKit.JSON.readTree(pair.peer().readLine("the handle line came with its descriptor, and no ack came back")
                    .text()).path("cmd").asText()).isEqualTo("NODE_HANDLE_ACK");
            Await.until(TestKit.DEADLINE, () -> FdTargets.ofThisProcess().size() == before, "nobody but an Rpc listens, and an Rpc "
                    + "never takes a handle, so the channel must close it: " + FdTargets.ofThisProcess().size() + " descriptors open, "
                    + before + " before it came (dispatch: is the handle closed when no message listener owns it?)");
        }
    }

    @Test
    @Graded(points = 1, handout = STEP)
    @DisplayName("a handler that returns null instead of a stage answers with an error, not with silence")
    void nullStageIsAnError() throws Exception {
        try (EventLoop loop = TestKit.loop(); TestKit.Pair pair = TestKit.Pair.open(loop, ChannelOptions.defaults())) {
            new Rpc(pair.channel()).registerAsync("nothing", params -> null);
            pair.channel().start();
            pair.peer().sendLine(TestKit.line("message", TestKit.json().put("rpc", "call").put("id", 7).put("method", "nothing")
                    .set("params", TestKit.json())));
            JsonNode reply = TestKit.JSON.readTree(pair.peer().readLine("a call to a handler that returned null got no answer: "
                    + "the caller would only see its timeout").text());
            assertThat(reply.path("rpc").asText()).as("the answer to call 7: %s", reply).isEqualTo("error");
            assertThat(reply.path("id").asLong()).isEqualTo(7);
            assertThat(reply.path("message").asText()).as("the error names the method").contains("nothing");
        }
    }
}
