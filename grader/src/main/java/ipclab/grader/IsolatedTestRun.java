package ipclab.grader;

import ipclab.grader.isolation.Cgroup;
import ipclab.grader.isolation.Isolation;
import ipclab.grader.runner.EventAudit;
import ipclab.grader.runner.LabRunner;
import ipclab.grader.runner.RunProcesses;
import ipclab.grader.runner.RunnerEvent;
import ipclab.support.BuildFacts;
import ipclab.support.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Runs one lab's compiled tests in a JVM of their own ({@link LabRunner}), and keeps going when
 * that JVM dies: the test that was running when a {@code System.exit}, a crash, a hang or a flood
 * of output ended it fails with the reason, and a new runner JVM carries on with the tests that had
 * not run yet. After each runner JVM every process the lab started, however deep and whatever it
 * did to hide, is killed ({@link RunSweeper}).
 *
 * <p>What the tests are and what they are worth comes from the {@link PlannedTest}s the parent
 * found; the runner's signed event log only says which passed, and is audited ({@link EventAudit}).
 */
final class IsolatedTestRun {

    /** How long past a test's own deadline the runner may stay silent before it is presumed stuck. */
    private static final Duration STUCK_GRACE = Duration.ofSeconds(30);

    /** The most a lab's runner JVM and its processes may print; past it the runner is stopped. */
    static final long MAX_OUTPUT_BYTES = 4L << 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Lab lab;
    private final List<PlannedTest> plan;
    private final Stage stage;
    private final Isolation isolation;
    private final Path work;
    private final int timeoutSeconds;
    private final Duration budget;
    private final String token = UUID.randomUUID().toString();
    /** Set when the grading run is being stopped: no new runner JVM may start. */
    private final AtomicBoolean stopping;
    /** What the sweep after the last runner JVM found and removed: empty when the tests' own checks caught everything. */
    private List<String> leftovers = List.of();

    /** The lab broke the rules of the event log: its points cannot be trusted. */
    static final class IntegrityFailure extends Exception {
        IntegrityFailure(String message) {
            super(message);
        }
    }

    /**
     * @param timeoutSeconds each test's deadline
     * @param budget         the whole lab's: tests that time out one after another (often because one
     *                       hung test holds a lock or a class initialisation the next ones need) stop here
     */
    IsolatedTestRun(Lab lab, List<PlannedTest> plan, Stage stage, Isolation isolation, Path work, int timeoutSeconds,
                    Duration budget, AtomicBoolean stopping) {
        this.stopping = stopping;
        this.lab = lab;
        this.plan = plan;
        this.stage = stage;
        this.isolation = isolation;
        this.work = work;
        this.timeoutSeconds = timeoutSeconds;
        this.budget = budget;
    }

    List<String> leftovers() {
        return leftovers;
    }

    List<TestOutcome> run() throws IOException, InterruptedException, IntegrityFailure {
        Path tmp = stage.tempFolder(lab);
        Path runnerFolder = stage.studentFolder(lab, "runner");
        Optional<Cgroup> group = Optional.empty();
        if (isolation.cgroup().isPresent()) {
            group = Optional.of(isolation.cgroup().get().child(lab.id(), Isolation.MAX_PROCESSES, 8L << 30));
        }
        RunSweeper sweeper = new RunSweeper(token, group, isolation);
        try {
            return runAttempts(tmp, runnerFolder, group, sweeper);
        } finally {
            sweeper.sweepProcesses();
            group.ifPresent(Cgroup::remove);
            leftovers = sweeper.sweepFiles();
        }
    }

    private List<TestOutcome> runAttempts(Path tmp, Path runnerFolder, Optional<Cgroup> group, RunSweeper sweeper)
            throws IOException, InterruptedException, IntegrityFailure {
        Path skipFile = stage.lab(lab).resolve("skip.txt");
        Files.deleteIfExists(skipFile);
        Set<String> planned = plan.stream().map(PlannedTest::id).collect(Collectors.toSet());
        Map<String, TestVerdict> verdicts = new LinkedHashMap<>();
        Map<String, String> containerFailures = new HashMap<>();
        long deadline = System.nanoTime() + budget.toNanos();
        for (int attempt = 1; ; attempt++) {
            if (stopping.get()) {
                throw new InterruptedException("the grading run is being stopped");
            }
            Path events = runnerFolder.resolve("events-" + attempt + ".jsonl");
            Path log = work.resolve("runner-" + attempt + ".log");
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            Ending ending = runOnce(events, log, skipFile, tmp, runnerFolder, group, sweeper, key, deadline);
            List<RunnerEvent> read;
            try {
                read = EventAudit.read(events, key, planned, verdicts::containsKey);
            } catch (EventAudit.Violation v) {
                throw new IntegrityFailure("the runner's event log was tampered with: " + v.getMessage());
            }
            String inFlight = null;
            boolean done = false;
            for (RunnerEvent e : read) {
                switch (e.event()) {
                    case start -> inFlight = e.id();
                    case finish -> {
                        verdicts.put(e.id(), new TestVerdict("passed".equals(e.status()), e.message()));
                        inFlight = null;
                    }
                    case container_failed -> containerFailures.put(e.id(), e.message());
                    case done -> done = true;
                }
            }
            if (done && ending.stop() == Stop.EXITED) {
                break;
            }
            if (inFlight != null) {
                verdicts.put(inFlight, new TestVerdict(false, ending.blame(keepCrashReport(runnerFolder, ending.pid()))));
            }
            List<String> remaining = plan.stream().map(PlannedTest::id).filter(id -> !verdicts.containsKey(id)).toList();
            if (remaining.isEmpty() || inFlight == null || attempt > plan.size() || ending.stop() == Stop.OUT_OF_TIME) {
                // Nothing left, or the runner died between tests: report what is known, run nothing twice.
                remaining.forEach(id -> verdicts.put(id, new TestVerdict(false, "not run: the test JVM ended early ("
                        + ending.describe() + ")")));
                break;
            }
            Files.write(skipFile, verdicts.keySet());
            Stage.publish(skipFile);
        }
        return outcomes(verdicts, containerFailures);
    }

    /** Copies a crash report of the runner into the lab's work folder, which outlives the stage. */
    private Path keepCrashReport(Path runnerFolder, long pid) throws IOException {
        Path report = runnerFolder.resolve("hs_err_pid" + pid + ".log");
        if (!Files.isRegularFile(report, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        Path kept = work.resolve(report.getFileName());
        try (InputStream in = Files.newInputStream(report, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.write(kept, in.readNBytes(1 << 20));
        }
        return kept;
    }

    private List<TestOutcome> outcomes(Map<String, TestVerdict> verdicts, Map<String, String> containerFailures) {
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
    private List<PlannedTest> inHandoutOrder(List<PlannedTest> tests) {
        String handout;
        try {
            handout = Files.isRegularFile(lab.handout(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? Files.readString(lab.handout()) : "";
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
        List<PlannedTest> ordered = new ArrayList<>(tests);
        ordered.sort(java.util.Comparator.comparingInt(position)); // stable: run order within a section
        return ordered;
    }

    private Ending runOnce(Path events, Path log, Path skipFile, Path tmp, Path runnerFolder, Optional<Cgroup> group,
                           RunSweeper sweeper, byte[] key, long deadline) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-XX:ErrorFile=" + runnerFolder.resolve("hs_err_pid%p.log"));
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-XX:+DisableAttachMechanism"); // no agent can be loaded into the runner to rewrite its classes
        command.add("-cp");
        command.add(joined(runnerClasspath()));
        command.add(LabRunner.class.getName());
        command.addAll(List.of("--events", events.toString(), "--tests", stage.testClasses(lab).toString(),
                "--lab-classes", joined(stage.labClasses(lab)),
                "--skip", skipFile.toString(), "--timeout", Integer.toString(timeoutSeconds)));
        if (hasHidden()) {
            command.addAll(List.of("--hidden", stage.hiddenClasses(lab).toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(isolation.wrap(command, group))
                .directory(tmp.toFile())
                .redirectErrorStream(true);
        builder.environment().put(RunProcesses.TOKEN_VARIABLE, token);
        Process runner = builder.start();
        sweeper.started(runner.pid());
        try (OutputStream stdin = runner.getOutputStream()) {
            stdin.write((HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // The runner died at once: its log says why.
        }
        OutputCap output = new OutputCap(runner.getInputStream(), log, MAX_OUTPUT_BYTES);
        Thread drain = Thread.ofPlatform().name("runner-output").daemon().start(output);
        Stop stop = waitWhileProgressing(runner, events, deadline, output);
        if (stop != Stop.EXITED) {
            ProcessTree.kill(runner.toHandle(), Duration.ofSeconds(10));
        }
        runner.waitFor();
        sweeper.sweepProcesses();
        drain.join(Duration.ofSeconds(10)); // every writer of the pipe is gone: EOF soon
        return new Ending(runner.exitValue(), stop, runner.pid(), budget);
    }

    /**
     * Graded tests first, hidden tests, then the grader's classes (the test kit among them) and libraries,
     * and the lab last, with the labs it builds on: it can shadow nothing.
     */
    private List<Path> runnerClasspath() {
        List<Path> classpath = new ArrayList<>();
        classpath.add(stage.testClasses(lab));
        if (hasHidden()) {
            classpath.add(stage.hiddenClasses(lab));
        }
        classpath.addAll(stage.libraries());
        classpath.addAll(stage.labClasses(lab));
        return classpath;
    }

    private static String joined(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private boolean hasHidden() {
        return plan.stream().anyMatch(PlannedTest::hidden);
    }

    /**
     * Waits for the runner to exit. Each test has its own deadline inside the runner; these are the
     * backstops: a runner so stuck that it cannot even report a timeout (no new event for a test's
     * deadline plus a grace period), a lab past its time budget, and output or events past their caps.
     */
    private Stop waitWhileProgressing(Process runner, Path events, long deadline, OutputCap output) throws InterruptedException {
        long silentLimit = Duration.ofSeconds(timeoutSeconds).plus(STUCK_GRACE).toNanos();
        long lastSize = -1;
        long lastProgress = System.nanoTime();
        while (!runner.waitFor(200, TimeUnit.MILLISECONDS)) {
            long size = events.toFile().length();
            if (output.overflowed()) {
                return Stop.TOO_MUCH_OUTPUT;
            }
            if (size > EventAudit.MAX_BYTES) {
                return Stop.TOO_MANY_EVENTS;
            }
            if (size != lastSize) {
                lastSize = size;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > silentLimit) {
                return Stop.STUCK;
            }
            if (System.nanoTime() - deadline > 0) {
                return Stop.OUT_OF_TIME;
            }
        }
        return output.overflowed() ? Stop.TOO_MUCH_OUTPUT : Stop.EXITED;
    }

    /**
     * Copies the runner's output to its log, up to a cap. Past the cap it keeps reading (so no
     * writer blocks on a full pipe) but keeps nothing, and says so: the run stops the runner.
     */
    private static final class OutputCap implements Runnable {
        private final InputStream in;
        private final Path log;
        private final long cap;
        private volatile boolean overflowed;

        OutputCap(InputStream in, Path log, long cap) {
            this.in = in;
            this.log = log;
            this.cap = cap;
        }

        boolean overflowed() {
            return overflowed;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[64 * 1024];
            long written = 0;
            try (in; OutputStream out = Files.newOutputStream(log)) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (written + n > cap) {
                        if (!overflowed) {
                            out.write(buffer, 0, (int) (cap - written));
                            out.write(("\n[the grader cut the output here: more than " + (cap >> 20) + " MiB]\n")
                                    .getBytes(StandardCharsets.UTF_8));
                            written = cap;
                            overflowed = true;
                        }
                        continue;
                    }
                    out.write(buffer, 0, n);
                    written += n;
                }
            } catch (IOException e) {
                // The log's disk is gone, or the pipe broke: nothing more to keep.
            }
        }
    }

    private record TestVerdict(boolean passed, String message) {
    }

    /** Why a runner JVM stopped: by itself, or stopped by the grader. */
    private enum Stop { EXITED, STUCK, OUT_OF_TIME, TOO_MUCH_OUTPUT, TOO_MANY_EVENTS }

    /** How a runner JVM ended, and how to explain it to the student whose test was running. */
    private record Ending(int exitStatus, Stop stop, long pid, Duration budget) {

        String describe() {
            return switch (stop) {
                case STUCK -> "it stopped responding and was killed";
                case OUT_OF_TIME -> "the lab used up its time budget of " + budget.toSeconds() + " s";
                case TOO_MUCH_OUTPUT -> "it printed more than " + (MAX_OUTPUT_BYTES >> 20) + " MiB and was stopped";
                case TOO_MANY_EVENTS -> "its event log grew past " + (EventAudit.MAX_BYTES >> 20) + " MiB and it was stopped";
                case EXITED -> exitStatus > 128 ? "killed by signal " + (exitStatus - 128) : "exit status " + exitStatus;
            };
        }

        /** @param crashReport the JVM's crash report, when it wrote one */
        String blame(Path crashReport) {
            switch (stop) {
                case OUT_OF_TIME -> {
                    return "the lab used up its time budget of " + budget.toSeconds() + " s during this test, so the"
                            + " grader stopped it. Tests that time out one after another usually wait for the same thing:"
                            + " a lock, a class initialisation or a descriptor an earlier hung test still holds.";
                }
                case STUCK -> {
                    return "the test JVM stopped responding during this test, even to its deadline, and was killed;"
                            + " the remaining tests ran in a new JVM";
                }
                case TOO_MUCH_OUTPUT -> {
                    return "the code printed more than " + (MAX_OUTPUT_BYTES >> 20) + " MiB to stdout and stderr during this"
                            + " test, so the grader stopped it (the log keeps the first " + (MAX_OUTPUT_BYTES >> 20) + " MiB);"
                            + " the remaining tests ran in a new JVM. Is a loop printing, or a thread left running?";
                }
                case TOO_MANY_EVENTS -> {
                    return "the runner's event log grew past " + (EventAudit.MAX_BYTES >> 20) + " MiB during this test, which"
                            + " only code writing into it can do; the grader stopped it";
                }
                default -> {
                }
            }
            if (crashReport != null) {
                return "the JVM crashed during this test (" + describe() + "): usually a native call given a bad"
                        + " address or a segment used after its arena was closed. The JVM's report: " + crashReport;
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
}
