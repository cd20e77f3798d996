package ipclab.grader;

import ipclab.grader.runner.EventLog;
import ipclab.grader.runner.LabRunner;
import ipclab.grader.runner.RunProcesses;
import ipclab.grader.runner.RunnerEvent;
import ipclab.grader.runner.RunnerEvent.PlannedTest;
import ipclab.support.JvmFlags;
import ipclab.support.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Runs one lab's compiled tests in a JVM of their own ({@link LabRunner}), and keeps going when
 * that JVM dies: the test that was running when a {@code System.exit}, a crash or a hang ended it
 * fails with the reason, and a new runner JVM carries on with the tests that had not run yet.
 * Afterwards every process the run started, however deep, is killed.
 */
final class IsolatedTestRun {

    /** How long past a test's own deadline the runner may stay silent before it is presumed stuck. */
    private static final Duration STUCK_GRACE = Duration.ofSeconds(30);

    private final Lab lab;
    private final List<Path> classpath;
    private final Path tests;
    private final Path hidden;
    private final Path work;
    private final int timeoutSeconds;
    private final Duration budget;
    private final String token = UUID.randomUUID().toString();
    /** The runners' java.io.tmpdir, made by {@link #run()} and removed when it returns. */
    private Path scratch;

    /**
     * @param timeoutSeconds each test's deadline
     * @param budget         the whole lab's: tests that time out one after another (often because one
     *                       hung test holds a lock or a class initialisation the next ones need) stop here
     */
    IsolatedTestRun(Lab lab, List<Path> classpath, Path tests, Path hidden, Path work, int timeoutSeconds, Duration budget) {
        this.lab = lab;
        this.classpath = classpath;
        this.tests = tests;
        this.hidden = hidden;
        this.work = work;
        this.timeoutSeconds = timeoutSeconds;
        this.budget = budget;
    }

    List<TestOutcome> run() throws IOException, InterruptedException {
        // The runners' temp directory (java.io.tmpdir, where tests make their files and sockets) is
        // short and outside the project: a Unix socket's path must fit in the 108 bytes of sun_path,
        // and a project checked out deep in a home directory leaves no room under its target folder.
        scratch = Files.createTempDirectory("ipclab-" + lab.id() + "-");
        try {
            return runAttempts();
        } finally {
            Tree.delete(scratch);
        }
    }

    private List<TestOutcome> runAttempts() throws IOException, InterruptedException {
        Path skipFile = work.resolve("skip.txt");
        Files.deleteIfExists(skipFile);
        List<PlannedTest> plan = null;
        Map<String, TestVerdict> verdicts = new LinkedHashMap<>();
        Map<String, String> containerFailures = new HashMap<>();
        long deadline = System.nanoTime() + budget.toNanos();
        for (int attempt = 1; ; attempt++) {
            Path events = work.resolve("events-" + attempt + ".jsonl");
            Path log = work.resolve("runner-" + attempt + ".log");
            Ending ending = runOnce(events, log, skipFile, deadline);
            String inFlight = null;
            boolean done = false;
            for (RunnerEvent e : EventLog.read(events)) {
                switch (e.event()) {
                    case plan -> {
                        if (plan == null) {
                            plan = e.tests();
                        }
                    }
                    case start -> inFlight = e.id();
                    case finish -> {
                        verdicts.put(e.id(), new TestVerdict("passed".equals(e.status()), e.message()));
                        inFlight = null;
                    }
                    case container_failed -> containerFailures.put(e.id(), e.message());
                    case done -> done = true;
                }
            }
            if (plan == null) {
                throw new RunnerFailed("the test runner stopped before it could list the tests (" + ending.describe() + ")\n"
                        + tail(log));
            }
            if (done) {
                break;
            }
            if (inFlight != null) {
                verdicts.put(inFlight, new TestVerdict(false, ending.blame(log)));
            }
            List<String> remaining = plan.stream().map(PlannedTest::id).filter(id -> !verdicts.containsKey(id)).toList();
            if (remaining.isEmpty() || inFlight == null || attempt > plan.size() || ending.stop() == Stop.OUT_OF_TIME) {
                // Nothing left, or the runner died between tests: report what is known, run nothing twice.
                remaining.forEach(id -> verdicts.put(id, new TestVerdict(false, "not run: the test JVM ended early ("
                        + ending.describe() + ")")));
                break;
            }
            Files.write(skipFile, verdicts.keySet());
        }
        return outcomes(plan, verdicts, containerFailures);
    }

    private List<TestOutcome> outcomes(List<PlannedTest> plan, Map<String, TestVerdict> verdicts,
                                       Map<String, String> containerFailures) {
        List<TestOutcome> outcomes = new ArrayList<>();
        int k = 0;
        for (PlannedTest t : inHandoutOrder(plan)) {
            TestVerdict v = verdicts.get(t.id());
            if (v == null) {
                String why = containerFailures.entrySet().stream()
                        .filter(c -> t.id().startsWith(c.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse("the test did not run");
                v = new TestVerdict(false, "not run: its test class failed to start — " + why);
            }
            outcomes.add(new TestOutcome(lab.number() + "." + (++k), t.name(), v.passed() ? t.points() : 0,
                    t.points(), v.passed(), v.message() == null ? "" : v.message(), t.handout(), t.hidden()));
        }
        return outcomes;
    }

    /**
     * Numbers follow the handout: tests of Step 1 first, then Step 2… (JUnit runs classes in its own
     * order), and within one section in the order they ran. Tests without a known section come last.
     */
    private List<PlannedTest> inHandoutOrder(List<PlannedTest> plan) {
        String handout;
        try {
            handout = Files.exists(lab.handout()) ? Files.readString(lab.handout()) : "";
        } catch (IOException e) {
            handout = "";
        }
        String text = handout;
        java.util.function.ToIntFunction<PlannedTest> position = t -> {
            if (t.handout() == null) {
                return Integer.MAX_VALUE;
            }
            java.util.regex.Matcher heading = java.util.regex.Pattern
                    .compile("(?m)^#+ " + java.util.regex.Pattern.quote(t.handout()) + "\\s*$").matcher(text);
            return heading.find() ? heading.start() : Integer.MAX_VALUE;
        };
        List<PlannedTest> ordered = new ArrayList<>(plan);
        ordered.sort(java.util.Comparator.comparingInt(position)); // stable: run order within a section
        return ordered;
    }

    private Ending runOnce(Path events, Path log, Path skipFile, long deadline) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmFlags.all());
        command.add("-Djava.io.tmpdir=" + scratch);
        command.add("-XX:ErrorFile=" + work.resolve("hs_err_pid%p.log"));
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-cp");
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(LabRunner.class.getName());
        command.addAll(List.of("--events", events.toString(), "--tests", tests.toString(),
                "--skip", skipFile.toString(), "--timeout", Integer.toString(timeoutSeconds)));
        if (hidden != null) {
            command.addAll(List.of("--hidden", hidden.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true);
        builder.environment().put(RunProcesses.TOKEN_VARIABLE, token);
        Process runner = builder.start();
        Stop stop = waitWhileProgressing(runner, events, deadline);
        if (stop != Stop.EXITED) {
            ProcessTree.kill(runner.toHandle(), Duration.ofSeconds(10));
        }
        runner.waitFor();
        killStragglers();
        return new Ending(runner.exitValue(), stop, runner.pid(), budget);
    }

    /**
     * Waits for the runner to exit. Each test has its own deadline inside the runner; these are the
     * backstops: a runner so stuck that it cannot even report a timeout (no new event for a test's
     * deadline plus a grace period), and a lab past its time budget.
     */
    private Stop waitWhileProgressing(Process runner, Path events, long deadline) throws InterruptedException {
        long silentLimit = Duration.ofSeconds(timeoutSeconds).plus(STUCK_GRACE).toNanos();
        long lastSize = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            try {
                runner.onExit().get(1, TimeUnit.SECONDS);
                return Stop.EXITED;
            } catch (TimeoutException stillRunning) {
                long size = events.toFile().length();
                if (size != lastSize) {
                    lastSize = size;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > silentLimit) {
                    return Stop.STUCK;
                }
                if (System.nanoTime() - deadline > 0) {
                    return Stop.OUT_OF_TIME;
                }
            } catch (ExecutionException e) {
                return Stop.EXITED;
            }
        }
    }

    /** Anything of this run still alive once its runner is gone (orphans of a crash, say) is killed. */
    private void killStragglers() {
        for (ProcessHandle p : RunProcesses.find(token)) {
            ProcessTree.kill(p, Duration.ofSeconds(10));
        }
    }

    private String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.subList(Math.max(0, lines.size() - 15), lines.size()).stream()
                    .map(l -> "    " + l).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "";
        }
    }

    private record TestVerdict(boolean passed, String message) {
    }

    /** Why a runner JVM stopped: by itself, or killed by the grader. */
    private enum Stop { EXITED, STUCK, OUT_OF_TIME }

    /** How a runner JVM ended, and how to explain it to the student whose test was running. */
    private record Ending(int exitStatus, Stop stop, long pid, Duration budget) {

        String describe() {
            if (stop == Stop.STUCK) {
                return "it stopped responding and was killed";
            }
            if (stop == Stop.OUT_OF_TIME) {
                return "the lab used up its time budget of " + budget.toSeconds() + " s";
            }
            if (exitStatus > 128) {
                return "killed by signal " + (exitStatus - 128);
            }
            return "exit status " + exitStatus;
        }

        String blame(Path log) {
            if (stop == Stop.OUT_OF_TIME) {
                return "the lab used up its time budget of " + budget.toSeconds() + " s during this test, so the"
                        + " grader stopped it. Tests that time out one after another usually wait for the same thing:"
                        + " a lock, a class initialisation or a descriptor an earlier hung test still holds.";
            }
            if (stop == Stop.STUCK) {
                return "the test JVM stopped responding during this test, even to its deadline, and was killed;"
                        + " the remaining tests ran in a new JVM";
            }
            Path crashLog = log.resolveSibling("hs_err_pid" + pid + ".log");
            if (Files.exists(crashLog)) {
                return "the JVM crashed during this test (" + describe() + "): usually a native call given a bad"
                        + " address or a segment used after its arena was closed. The JVM's report: " + crashLog;
            }
            if (exitStatus > 128) {
                return "the test JVM was killed by signal " + (exitStatus - 128) + " during this test"
                        + " (did the code send a signal to its own process, or to its parent?)";
            }
            return "the test JVM exited with status " + exitStatus + " during this test: did the code call"
                    + " System.exit or Runtime.halt? Code under test must return or throw, never end the JVM;"
                    + " the remaining tests ran in a new JVM";
        }
    }

    /** The runner could not even list the tests: the whole lab is reported broken, with this message. */
    static final class RunnerFailed extends IOException {
        RunnerFailed(String message) {
            super(message);
        }
    }
}
