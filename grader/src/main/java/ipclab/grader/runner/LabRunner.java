package ipclab.grader.runner;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestPlan;

/**
 * The main class of a runner JVM: runs one lab's graded tests through the JUnit Platform and logs
 * every step to a signed event file. The grader starts one of these per lab (and another if one
 * dies), so whatever a lab's code does to its JVM costs only that lab.
 *
 * <pre>LabRunner --events FILE --tests DIR [--hidden DIR] --lab-classes DIR[:DIR…] [--skip FILE] [--timeout SECONDS]</pre>
 *
 * <p>Before anything else it reads the event log's key from stdin (the parent writes it and
 * closes the pipe), so the key is gone from every place student code could read it by the time the
 * first test runs.
 */
public final class LabRunner {

    private LabRunner() {
    }

    public static void main(String[] args) throws Exception {
        byte[] key = readKey();
        Options options = Options.parse(args);
        int status = 0;
        try (EventLog log = new EventLog(options.events, key)) {
            becomeSubreaper();
            JdkWarmUp.run();
            LeakGuard guard = new LeakGuard(System.getenv(RunProcesses.TOKEN_VARIABLE),
                    Path.of(System.getProperty("java.io.tmpdir")));
            Launcher launcher = JupiterOnly.launcher();
            TestPlan plan = launcher.discover(JupiterOnly.request(options.testRoots(), options.skipped(), options.timeoutSeconds));
            launcher.execute(plan, new GradingListener(log, guard, new Failures(options.labClasses)));
            log.write(RunnerEvent.done());
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        // halt, not exit: a lab's shutdown hook or stray non-daemon thread must not keep the runner alive.
        Runtime.getRuntime().halt(status);
    }

    /**
     * The key: 64 hex digits on stdin, read with read(2) straight from descriptor 0, so that no
     * buffer of System.in keeps a copy for student code to find. Then stdin becomes /dev/null, as
     * the tests expect.
     */
    private static byte[] readKey() throws ErrnoException {
        byte[] hex = new byte[KEY_HEX_DIGITS];
        for (int got = 0, n; got < hex.length; got += n) {
            n = Libc.read(0, hex, got, hex.length - got);
            if (n == 0) {
                throw new IllegalStateException("stdin ended before the event log's key: start LabRunner from the grader");
            }
        }
        int devNull = Libc.open(Path.of("/dev/null"), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        Libc.dup2(devNull, 0);
        Libc.close(devNull);
        byte[] key = HexFormat.of().parseHex(new String(hex, StandardCharsets.US_ASCII));
        Arrays.fill(hex, (byte) 0);
        return key;
    }

    private static final int KEY_HEX_DIGITS = 64;

    /**
     * Orphans among the tests' processes (a daemon that called setsid, a double fork) are
     * re-parented to this JVM instead of to init, so the leak check still finds them among its
     * descendants, whatever their environment says.
     */
    private static void becomeSubreaper() throws ErrnoException {
        Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1);
    }

    /** @param labClasses the lab's classes and those of the labs it builds on: what failures point into */
    private record Options(Path events, Path tests, Path hidden, List<Path> labClasses, Path skip, int timeoutSeconds) {

        List<Path> testRoots() {
            List<Path> roots = new ArrayList<>(List.of(tests));
            if (hidden != null) {
                roots.add(hidden);
            }
            return roots;
        }

        Set<String> skipped() throws IOException {
            return skip == null || !Files.exists(skip) ? Set.of() : new HashSet<>(Files.readAllLines(skip));
        }

        static Options parse(String[] args) {
            Path events = null;
            Path tests = null;
            Path hidden = null;
            List<Path> labClasses = null;
            Path skip = null;
            int timeout = 30;
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--events" -> events = Path.of(args[i + 1]);
                    case "--tests" -> tests = Path.of(args[i + 1]);
                    case "--hidden" -> hidden = Path.of(args[i + 1]);
                    case "--lab-classes" -> labClasses = Arrays.stream(args[i + 1].split(File.pathSeparator)).map(Path::of).toList();
                    case "--skip" -> skip = Path.of(args[i + 1]);
                    case "--timeout" -> timeout = Integer.parseInt(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (events == null || tests == null || labClasses == null) {
                throw new IllegalArgumentException("usage: LabRunner --events FILE --tests DIR [--hidden DIR]"
                        + " --lab-classes DIR[:DIR...] [--skip FILE] [--timeout S]");
            }
            return new Options(events, tests, hidden, labClasses, skip, timeout);
        }
    }
}
