package ipclab.lab06;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * Round trips of a signal between two JVMs. A signal carries no bytes, so there is no 100-byte
 * ping-pong here: the parent sends SIGUSR1 and waits for the child's answer, which is either
 * SIGUSR1 back (both directions are signals) or one byte on a pipe (a signal there, a pipe back).
 * Both sides take signals through {@link SignalEvents}, so each trip also pays for the JVM's way
 * of delivering them: its C handler notes the signal, a dispatcher thread starts a new Java thread
 * for the handler, and the handler's byte wakes the loop.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(10);

    private Benchmark() {
    }

    /** How the child answers. */
    enum Answer {
        SIGNAL("SIGUSR1 there, SIGUSR1 back"),
        PIPE_BYTE("SIGUSR1 there, pipe byte back");

        final String label;

        Answer(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        for (Answer answer : Answer.values()) {
            System.out.println(measure(answer, options.roundTrips(), options.warmup()));
        }
    }

    private static RoundTripReport measure(Answer answer, int roundTrips, int warmup) throws Exception {
        RoundTripReport report = new RoundTripReport(answer.label, 0);
        // Our own handler first: the child's first answer must find it installed.
        try (SignalEvents events = SignalEvents.open(SignalName.USR1);
             ChildProcess child = ChildJvm.main(Responder.class).args(answer.name()).start()) {
            InputStream fromChild = child.process().getInputStream();
            awaitReady(fromChild, child);
            for (int i = 0; i < warmup; i++) {
                roundTrip(answer, child, events, fromChild);
            }
            report.start();
            for (int i = 0; i < roundTrips; i++) {
                long start = System.nanoTime();
                roundTrip(answer, child, events, fromChild);
                report.record(System.nanoTime() - start);
            }
            report.stop();
            Libc.kill(child.pid(), Libc.SIGTERM);
            int status = child.waitFor(ANSWER_DEADLINE);
            if (status != 0) {
                throw new IllegalStateException("the responder exited with status " + status);
            }
        }
        return report;
    }

    private static void roundTrip(Answer answer, ChildProcess child, SignalEvents events, InputStream fromChild) throws IOException {
        Libc.kill(child.pid(), Libc.SIGUSR1);
        if (answer == Answer.SIGNAL) {
            Optional<SignalName> back = events.next(ANSWER_DEADLINE);
            if (back.isEmpty()) {
                throw new IOException(child + " did not answer SIGUSR1 within " + ANSWER_DEADLINE);
            }
        } else if (fromChild.read() < 0) {
            throw new IOException(child + " closed its stdout instead of answering");
        }
    }

    private static void awaitReady(InputStream in, ChildProcess child) throws IOException {
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException(child + " exited before it was ready (its errors are on stderr)");
            }
        }
    }

    /** The child: answers every SIGUSR1, until SIGTERM. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws Exception {
            Answer answer = Answer.valueOf(args[0]);
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            Dispositions.stopIgnoring(SignalName.TERM);
            try (SignalEvents events = SignalEvents.open(SignalName.USR1, SignalName.TERM)) {
                System.out.println("ready");
                System.out.flush();
                while (true) {
                    Optional<SignalName> signal = events.next(Duration.ofSeconds(1));
                    if (signal.isEmpty()) {
                        continue;
                    }
                    if (signal.get() == SignalName.TERM) {
                        return;
                    }
                    if (answer == Answer.SIGNAL) {
                        Libc.kill(parent, Libc.SIGUSR1);
                    } else {
                        System.out.write(1);
                        System.out.flush();
                    }
                }
            }
        }
    }
}
