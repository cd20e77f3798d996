package ipclab.lab06;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

    private static final String STEP = "Step 5: Graceful shutdown";
    private static final String NO_HANDLER = "with no SIGTERM handler the JVM exits at once with status 143 (128 + 15)";

    @Test
    @Graded(points = 14, handout = STEP)
    @DisplayName("on SIGTERM the worker refuses new jobs, finishes the one in flight, and exits 0")
    void drainsOnTerm() throws Exception {
        try (ChildProcess child = TestKit.start(GracefulWorker.class, "15000")) {
            TestKit.Transcript out = new TestKit.Transcript(child);
            out.awaitReady();
            job(child, 1, 2_000);
            out.await("started 1"::equals, "\"started 1\"", "submit should start the job and print \"started 1\"");
            Libc.kill(child.pid(), Libc.SIGTERM);
            String stopping = out.await(l -> l.startsWith("stopping") || l.startsWith("done"), "\"stopping: 1 job(s) in flight\"", NO_HANDLER);
            assertThat(stopping).as("SIGTERM came while job 1 was running (it takes 2 s)").isEqualTo("stopping: 1 job(s) in flight");
            job(child, 2, 0);
            assertThat(out.await(l -> l.endsWith(" 2") || l.equals("done 1"), "\"refused 2\"",
                    "after SIGTERM a new job must be refused")).as("a job that comes after SIGTERM").isEqualTo("refused 2");
            out.await("done 1"::equals, "\"done 1\"", "the job in flight must be allowed to finish");
            assertThat(out.await(l -> l.startsWith("exit"), "\"exit 0\"", "the worker should exit once no job is in flight"))
                    .isEqualTo("exit 0");
            assertThat(child.waitFor(TestKit.DEADLINE)).as("the exit status of a drained worker").isZero();
            assertThat(out.seen()).as("what the worker printed").doesNotContain("started 2").noneMatch(l -> l.startsWith("forced"));
        }
    }

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("a second SIGTERM forces the worker to exit at once with EXIT_FORCED, the job unfinished")
    void secondTermForces() throws Exception {
        try (ChildProcess child = TestKit.start(GracefulWorker.class, "60000")) {
            TestKit.Transcript out = stoppingWithALongJob(child);
            Libc.kill(child.pid(), Libc.SIGTERM);
            out.await(l -> l.startsWith("forced"), "\"forced: …\"", "a second SIGTERM must not wait for the 60 s job");
            assertThat(child.waitFor(TestKit.DEADLINE)).as("the exit status of a forced shutdown")
                    .isEqualTo(GracefulWorker.EXIT_FORCED);
            assertThat(out.seen()).doesNotContain("done 1");
        }
    }

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("when the drain deadline passes, the worker exits with EXIT_FORCED without a second signal")
    void deadlineForces() throws Exception {
        try (ChildProcess child = TestKit.start(GracefulWorker.class, "300")) {
            TestKit.Transcript out = stoppingWithALongJob(child);
            out.await(l -> l.startsWith("forced"), "\"forced: …\"", "the drain deadline is 300 ms; the job takes 60 s");
            assertThat(child.waitFor(TestKit.DEADLINE)).as("the exit status when the drain deadline passed")
                    .isEqualTo(GracefulWorker.EXIT_FORCED);
        }
    }

    /** The worker's transcript once it has started a 60 s job, got SIGTERM and said it is stopping. */
    private static TestKit.Transcript stoppingWithALongJob(ChildProcess child) throws Exception {
        TestKit.Transcript out = new TestKit.Transcript(child);
        out.awaitReady();
        job(child, 1, 60_000);
        out.await("started 1"::equals, "\"started 1\"", "submit should start the job");
        Libc.kill(child.pid(), Libc.SIGTERM);
        out.await(l -> l.startsWith("stopping"), "\"stopping: …\"", NO_HANDLER);
        return out;
    }

    private static void job(ChildProcess child, int id, long millis) throws Exception {
        OutputStream in = child.process().getOutputStream();
        in.write(("job " + id + " " + millis + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
