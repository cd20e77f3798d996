package ipclab.lab10;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKit.WorkerErrors.class) // a failure quotes what the workers wrote on standard error
class OtherModesTest {

    private static final String STEP = "Step 6: A shared listener, and SO_REUSEPORT";

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("shared listening socket: the workers accept on the master's listener themselves and answer every connection")
    void sharedListener() throws Exception {
        answersEveryConnection(Scheduling.SHARED);
    }

    @Test
    @Graded(points = 6, handout = STEP)
    @DisplayName("SO_REUSEPORT: each worker listens on the same port itself and the workers answer every connection")
    void reusePort() throws Exception {
        answersEveryConnection(Scheduling.REUSEPORT);
    }

    private static void answersEveryConnection(Scheduling scheduling) throws Exception {
        TestKit.Recorder events = new TestKit.Recorder();
        try (Cluster cluster = Cluster.start(TestKit.options(2).withScheduling(scheduling), events)) {
            List<Long> pids = events.awaitListening(2);
            Map<Long, Integer> shares = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                String answer = TestKit.fetch(cluster.port());
                assertThat(answer).as("%s, connection %d (shares so far %s): every connection must be answered by a worker",
                        scheduling.cliName(), i, shares).isNotIn("", "RESET");
                long pid = TestKit.answeredBy(answer);
                assertThat(pids).as("%s: connection %d answered by a worker of this cluster", scheduling.cliName(), i).contains(pid);
                shares.merge(pid, 1, Integer::sum);
            }
            // Not asserted: how evenly the kernel spreads them. Reported for the curious.
            System.out.println(scheduling.cliName() + ": 30 connections answered, per worker " + shares);
        }
    }
}
