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

    /** Workers A and B in the round; c[0] in flight to A, c[1] to B, c[2] queued. */
    private FakeConn[] twoHeldOneQueued(FakeConn[] c) {
        rr.add("A");
        rr.add("B");
        rr.distribute(c[0]);
        rr.distribute(c[1]);
        rr.distribute(c[2]);
        return c;
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("distribute: the first free worker gets each connection; with none free it waits in the queue")
    void firstFreeWorkerGetsIt() {
        FakeConn[] c = conns(3);
        // B before A: a free list that forgets the order (a HashSet) would still give "A" first.
        rr.add("B");
        rr.add("A");
        assertThat(handoff.sent).as("add() with nothing queued hands off nothing: the worker waits in the free list").isEmpty();
        rr.distribute(c[0]);
        rr.distribute(c[1]);
        rr.distribute(c[2]);
        assertThat(handoff.sent).as("c1 to the first free worker (B, added first), c2 to the next (A); c3 finds nobody free. "
                        + "The free list keeps the order in which workers became free (Node: a Map, round_robin_handle.js 20)")
                .extracting(Sent::worker, Sent::conn).containsExactly(
                        tuple("B", c[0]), tuple("A", c[1]));
        assertThat(rr.queued()).as("c3 waits in the queue: both workers hold a connection they have not replied to").isEqualTo(1);
        assertThat(rr.inFlight("B")).as("B holds c1 until it replies").isTrue();
        assertThat(handoff.sent.get(0).seq()).as("each newconn has its own seq").isNotEqualTo(handoff.sent.get(1).seq());
        assertThat(c).as("nothing is closed before a reply").noneMatch(FakeConn::closed);
    }

    @Test
    @Graded(points = 5, handout = STEP)
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
    @Graded(points = 4, handout = STEP)
    @DisplayName("a refused connection goes to the tail, behind those waiting; remove() takes a worker out of the round")
    void refusedGoesToTheTail() {
        FakeConn[] c = conns(4);
        rr.add("A");
        rr.add("B");
        rr.distribute(c[0]); // A
        rr.distribute(c[1]); // B
        rr.reply("B", handoff.last("B").seq(), true);
        assertThat(c[1].closed()).isTrue();
        rr.distribute(c[2]); // B again: it is free
        assertThat(handoff.last("B").conn()).isSameAs(c[2]);
        rr.remove("B");
        rr.distribute(c[3]); // nobody free: c4 waits
        rr.reply("A", handoff.last("A").seq(), false);
        assertThat(c[0].closed()).as("refused: the master keeps its copy of c1, for another worker").isFalse();
        assertThat(handoff.last("A").conn()).as("Node's handoff callback: refused, distribute() puts c1 at the tail, behind c4 "
                + "which was waiting, and then A is offered the head of the queue anyway (A is still in the round): c4").isSameAs(c[3]);
        rr.reply("A", handoff.last("A").seq(), true);
        assertThat(handoff.last("A").conn()).as("then c1, from the tail").isSameAs(c[0]);
        rr.reply("B", handoff.last("B").seq(), true);
        assertThat(c[2].closed()).as("B's reply to the socket it held when removed is still honoured").isTrue();
        int before = handoff.sent.size();
        rr.distribute(new FakeConn("c5"));
        rr.reply("A", handoff.last("A").seq(), true);
        assertThat(handoff.sent.subList(before, handoff.sent.size())).as("after remove(B), B gets nothing more").extracting(Sent::worker)
                .doesNotContain("B");
    }

    @Test
    @Graded(points = 4, handout = STEP)
    @DisplayName("lost(worker): its connection in flight goes first to another worker; abandon() closes what waits and what comes")
    void lostWorkersSocketIsRedistributed() {
        FakeConn[] c = twoHeldOneQueued(conns(4));
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

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("remove() of a free worker: it leaves the free list too, so the next connection goes to a worker still in the round")
    void removedFreeWorkerGetsNothing() {
        FakeConn c1 = new FakeConn("c1");
        rr.add("A");
        rr.add("B");
        rr.remove("A"); // free, holding nothing
        rr.distribute(c1);
        assertThat(handoff.sent).as("A was removed while free: c1 must go to B, not wait in the queue behind a worker that will "
                + "never take it (remove() takes the worker out of all and free, Node: round_robin_handle.js 77-97)")
                .extracting(Sent::worker, Sent::conn).containsExactly(tuple("B", c1));
        assertThat(rr.queued()).isZero();
    }

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("after abandon(), lost() and close() close each connection exactly once")
    void closedOnceAfterAbandon() {
        FakeConn[] c = twoHeldOneQueued(conns(3));
        rr.abandon();
        assertThat(c[2].closes).as("abandon() closes the queued c3, once").isEqualTo(1);
        rr.lost("A");
        assertThat(c[0].closes).as("A is lost after abandon(): nobody will come for its c1, so it is closed (once), not queued")
                .isEqualTo(1);
        assertThat(rr.queued()).isZero();
        rr.close();
        assertThat(c).as("close() closes what is still in flight (c2, held by B); every connection is closed exactly once: %s",
                List.of(c)).allMatch(conn -> conn.closes == 1);
        rr.close();
        assertThat(c).as("a second close() closes nothing again").allMatch(conn -> conn.closes == 1);
    }
}
