package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import ipclab.grader.api.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link RoundRobinHandle} alone, with fakes for the hand-off and the connections: no process, no
 * socket, no thread. Each test names the Node behaviour it checks ({@code round_robin_handle.js}).
 */
class RoundRobinHandleTest {

    private static final String STEP = "Step 2: The round-robin queue";

    /** A connection that records whether the master closed its copy. */
    static final class FakeConn {
        private final String name;
        private int closes;

        FakeConn(String name) {
            this.name = name;
        }

        boolean closed() {
            return closes > 0;
        }

        @Override
        public String toString() {
            return name + (closes > 0 ? " (closed" + (closes > 1 ? " " + closes + " times" : "") + ")" : "");
        }
    }

    /** One newconn sent: to which worker, with which seq, which connection. */
    record Sent(String worker, long seq, FakeConn conn) {
    }

    /** Records every hand-off; the workers named in {@code unreachable} throw, as a broken channel does. */
    static final class FakeHandoff implements RoundRobinHandle.Handoff<String, FakeConn> {
        final List<Sent> sent = new ArrayList<>();
        final Set<String> unreachable = new HashSet<>();

        @Override
        public void send(String worker, long seq, FakeConn conn) throws IOException {
            if (unreachable.contains(worker)) {
                throw new IOException("sendmsg to " + worker + ": EPIPE (the fake worker's channel is broken)");
            }
            sent.add(new Sent(worker, seq, conn));
        }

        /** The last newconn sent to {@code worker}. */
        Sent last(String worker) {
            return sent.reversed().stream().filter(s -> s.worker().equals(worker)).findFirst()
                    .orElseThrow(() -> new AssertionError("nothing was ever handed to " + worker + "; sent: " + sent));
        }

        List<String> receivers() {
            return sent.stream().map(Sent::worker).toList();
        }
    }

    private final FakeHandoff handoff = new FakeHandoff();
    private final RoundRobinHandle<String, FakeConn> rr = new RoundRobinHandle<>(handoff, conn -> conn.closes++);

    private FakeConn[] conns(int count) {
        FakeConn[] conns = new FakeConn[count];
        for (int i = 0; i < count; i++) {
            conns[i] = new FakeConn("c" + (i + 1));
        }
        return conns;
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("distribute: the first free worker gets each connection; with none free it waits in the queue")
    void firstFreeWorkerGetsIt() {
        FakeConn[] c = conns(3);
        rr.add("A");
        rr.add("B");
        assertThat(handoff.sent).as("add() with nothing queued hands off nothing: the worker waits in the free list").isEmpty();
        rr.distribute(c[0]);
        rr.distribute(c[1]);
        rr.distribute(c[2]);
        assertThat(handoff.sent).as("c1 to the first free worker (A, added first), c2 to the next (B); c3 finds nobody free")
                .extracting(Sent::worker, Sent::conn).containsExactly(
                        tuple("A", c[0]), tuple("B", c[1]));
        assertThat(rr.queued()).as("c3 waits in the queue: both workers hold a connection they have not replied to").isEqualTo(1);
        assertThat(rr.inFlight("A")).as("A holds c1 until it replies").isTrue();
        assertThat(handoff.sent.get(0).seq()).as("each newconn has its own seq").isNotEqualTo(handoff.sent.get(1).seq());
        assertThat(c).as("nothing is closed before a reply").noneMatch(FakeConn::closed);
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("reply: a worker gets its next connection only after it replies, and an accepted one is then closed here")
    void nextOnlyAfterReply() {
        FakeConn[] c = conns(3);
        rr.add("A");
        rr.distribute(c[0]);
        rr.distribute(c[1]);
        rr.distribute(c[2]);
        assertThat(handoff.receivers()).as("A is busy with c1: c2 and c3 wait (ack-gating)").containsExactly("A");
        long s1 = handoff.last("A").seq();
        rr.reply("A", s1 + 1000, true);
        assertThat(handoff.sent).as("a reply with a seq A does not hold is ignored").hasSize(1);
        assertThat(c[0].closed()).as("...and closes nothing").isFalse();
        rr.reply("A", s1, true);
        assertThat(c[0].closed()).as("accepted: the master closes its copy of c1 (the worker has its own)").isTrue();
        assertThat(handoff.last("A").conn()).as("then A is handed the next queued connection, the oldest: c2").isSameAs(c[1]);
        rr.reply("A", handoff.last("A").seq(), true);
        rr.reply("A", handoff.last("A").seq(), true);
        assertThat(handoff.sent).extracting(Sent::conn).as("in the order they were accepted").containsExactly(c[0], c[1], c[2]);
        assertThat(rr.queued()).isZero();
        FakeConn later = new FakeConn("c4");
        rr.distribute(later);
        assertThat(handoff.last("A").conn()).as("A replied to everything, so it was back in the free list: c4 goes to it at once")
                .isSameAs(later);
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("a refused connection goes to the tail, to the first free worker; remove() takes a worker out of the round")
    void refusedGoesToTheTail() {
        FakeConn[] c = conns(3);
        rr.add("A");
        rr.add("B");
        rr.distribute(c[0]); // A
        rr.distribute(c[1]); // B
        rr.reply("B", handoff.last("B").seq(), true);
        assertThat(c[1].closed()).isTrue();
        rr.distribute(c[2]); // B again: it is free
        assertThat(handoff.last("B").conn()).isSameAs(c[2]);
        rr.remove("B");
        rr.reply("A", handoff.last("A").seq(), false);
        assertThat(c[0].closed()).as("refused: the master keeps its copy of c1, for another worker").isFalse();
        assertThat(handoff.last("A").conn()).as("Node's handoff callback: refused, distribute() puts c1 back at the tail, and "
                + "then A is offered the next connection anyway (A is still in the round): c1 again").isSameAs(c[0]);
        rr.reply("B", handoff.last("B").seq(), true);
        assertThat(c[2].closed()).as("B's reply to the socket it held when removed is still honoured").isTrue();
        int before = handoff.sent.size();
        rr.distribute(new FakeConn("c4"));
        rr.reply("A", handoff.last("A").seq(), true);
        assertThat(handoff.sent.subList(before, handoff.sent.size())).as("after remove(B), B gets nothing more").extracting(Sent::worker)
                .doesNotContain("B");
    }

    @Test
    @Graded(points = 3, handout = STEP)
    @DisplayName("lost(worker): its connection in flight goes first to another worker; abandon() closes what waits and what comes")
    void lostWorkersSocketIsRedistributed() {
        FakeConn[] c = conns(4);
        rr.add("A");
        rr.add("B");
        rr.distribute(c[0]); // A
        rr.distribute(c[1]); // B
        rr.distribute(c[2]); // queued
        rr.lost("A");
        assertThat(c[0].closed()).as("A died holding c1 without a reply: the master's copy is all the client has left").isFalse();
        assertThat(rr.queued()).as("c1 waits at the head of the queue, before c3").isEqualTo(2);
        rr.reply("B", handoff.last("B").seq(), true);
        assertThat(handoff.last("B").conn()).as("the next free worker gets c1 first: it has waited longest").isSameAs(c[0]);
        rr.lost("B");
        assertThat(rr.queued()).isEqualTo(2);
        rr.abandon();
        assertThat(c[0].closed() && c[2].closed()).as("abandon(): the queued connections are closed, so their clients read EOF; "
                + "c1 = %s, c3 = %s", c[0], c[2]).isTrue();
        rr.distribute(c[3]);
        assertThat(c[3].closed()).as("after abandon() a new connection is closed at once: no worker will come for it").isTrue();
        assertThat(handoff.receivers()).as("nothing is handed to a lost worker").containsExactly("A", "B", "B");
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("a hand-off that throws counts as a lost worker: the connection goes to the next free worker")
    void failedHandoffTriesTheNext() {
        FakeConn c1 = new FakeConn("c1");
        handoff.unreachable.add("A");
        rr.add("A");
        rr.add("B");
        rr.distribute(c1);
        assertThat(handoff.sent).as("A's channel is broken, so c1 goes to B").extracting(Sent::worker).containsExactly("B");
        assertThat(c1.closed()).isFalse();
        rr.reply("B", handoff.last("B").seq(), true);
        handoff.unreachable.clear();
        rr.distribute(new FakeConn("c2"));
        assertThat(handoff.receivers()).as("A is out of the round for good once a hand-off to it failed").doesNotContain("A");
    }
}
