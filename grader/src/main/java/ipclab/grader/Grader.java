package ipclab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import ipclab.grader.isolation.Cgroup;
import ipclab.grader.isolation.Isolation;
import ipclab.grader.report.Progress;
import ipclab.testkit.Trees;
import java.util.stream.Stream;

/**
 * Grades a tree of labs. Every lab is compiled on its own, its graded tests against it, all
 * before any student code runs (a lab that builds on an earlier one, as lab 11 on lab 10, after that
 * lab and against its classes from the same tree, see {@link LabClassPath}); then each lab's tests run in a JVM of their own, as an
 * unprivileged user when the grader is root. A lab that does not compile, breaks the rules,
 * throws, exits, crashes, hangs, floods or tampers costs its own points and nothing else, and the
 * report is always written.
 */
public final class Grader {

    /**
     * What to grade.
     *
     * @param root           the repository root
     * @param labsRoot       the folder of labs to grade ({@code labs/} or {@code solutions/})
     * @param testsRoot      the folder of {@code labNN/} graded tests
     * @param hiddenRoot     an instructor's folder of hidden {@code labNN/} tests, or {@code null}
     * @param labs           the lab numbers to grade; empty for all
     * @param workRoot       where compiled classes, logs and reports go ({@code grader/target/grade})
     * @param timeoutSeconds each test's deadline
     * @param labBudget      each lab's time budget, all its tests together
     * @param runBudget      the whole run's time budget
     */
    public record Options(Path root, Path labsRoot, Path testsRoot, Path hiddenRoot, Set<Integer> labs,
                          Path workRoot, int timeoutSeconds, Duration labBudget, Duration runBudget) {

        /** A lab gets this long in all, however its tests time out: a hanging lab must not hang a class's grading. */
        public static final Duration DEFAULT_LAB_BUDGET = Duration.ofMinutes(5);

        /**
         * The whole run gets this long: labs it does not reach are reported as not graded, so a
         * submission of ten hanging labs still ends inside a Gradescope timeout. Solutions take about two minutes.
         */
        public static final Duration DEFAULT_RUN_BUDGET = Duration.ofMinutes(30);

        public Options(Path root, Path labsRoot, Path testsRoot, Path hiddenRoot, Set<Integer> labs,
                       Path workRoot, int timeoutSeconds) {
            this(root, labsRoot, testsRoot, hiddenRoot, labs, workRoot, timeoutSeconds, DEFAULT_LAB_BUDGET, DEFAULT_RUN_BUDGET);
        }

        /**
         * Labs whose tests start many JVMs (a CLI, a daemon, its apps, for nearly every test) and
         * so need more than one budget on a loaded machine: lab 11's solution takes about two
         * minutes on a quiet two-core machine, close to five on a busy one.
         */
        private static final Map<Integer, Integer> BUDGETS_PER_LAB = Map.of(11, 2, 12, 2);

        /** {@code lab}'s time budget: {@link #labBudget()}, times the budgets it is allowed. */
        public Duration budgetOf(int lab) {
            return labBudget.multipliedBy(BUDGETS_PER_LAB.getOrDefault(lab, 1));
        }

        public Options withBudgets(Duration lab, Duration run) {
            return new Options(root, labsRoot, testsRoot, hiddenRoot, labs, workRoot, timeoutSeconds, lab, run);
        }

        /** The standard layout: grade {@code target} ("labs", "solutions" or a folder) in repository {@code root}. */
        public static Options standard(Path root, String target, Set<Integer> labs, Path hiddenRoot, int timeoutSeconds) {
            Path labsRoot = root.resolve(target); // "labs", "solutions", or a folder relative to the root or absolute
            return new Options(root, labsRoot, root.resolve("grader/src/labtests"), hiddenRoot, labs,
                    root.resolve("grader/target/grade"), timeoutSeconds);
        }
    }

    private final Options options;
    private Progress progress = Progress.silent();
    /** Set when the JVM is shutting down (Ctrl-C, SIGTERM): no lab starts another runner JVM. */
    private final AtomicBoolean stopping = new AtomicBoolean();

    public Grader(Options options) {
        this.options = options;
    }

    /** Shows each step as the run takes it. */
    public Grader showingProgress(Progress shown) {
        this.progress = shown;
        return this;
    }

    public GradeResult grade() {
        long start = System.nanoTime();
        long runDeadline = start + options.runBudget().toNanos();
        List<Lab> tree = LabCatalog.find(options.labsRoot(), options.root().resolve("labs"), options.testsRoot(), options.hiddenRoot());
        List<Lab> labs = tree.stream().filter(lab -> options.labs().isEmpty() || options.labs().contains(lab.number())).toList();
        if (labs.isEmpty()) {
            throw new IllegalArgumentException("no lab " + options.labs() + " under " + options.labsRoot());
        }
        RunSweeper.becomeSubreaper();
        Isolation isolation = Isolation.detect("ipclab-grade-" + UUID.randomUUID().toString().substring(0, 8));
        Map<Lab, LabResult> results = new LinkedHashMap<>();
        StringBuilder cleanup = new StringBuilder();
        Stage stage = null;
        AtomicReference<Stage> staged = new AtomicReference<>();
        Thread interrupted = cleanupOnExit(staged, isolation);
        try {
            stage = Stage.create(isolation, graderClasspath());
            staged.set(stage);
            gradeIn(stage, isolation, tree, labs, runDeadline, results);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the grading run in " + System.getProperty("java.io.tmpdir"), e);
        } finally {
            // Whatever the labs left in the stage, the report is still written: a failed clean-up is a warning.
            if (stage != null) {
                try {
                    stage.close();
                } catch (IOException | RuntimeException e) {
                    cleanup.append("\nwarning: the grader could not remove its stage folder ").append(stage.root())
                            .append(": ").append(e.getMessage());
                }
            }
            isolation.cgroup().ifPresent(Cgroup::remove);
            try {
                Runtime.getRuntime().removeShutdownHook(interrupted);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running already.
            }
        }
        Path graded = options.labsRoot().toAbsolutePath().normalize();
        String target = graded.startsWith(options.root()) ? options.root().relativize(graded).toString() : graded.toString();
        List<LabResult> ordered = labs.stream().map(results::get).toList();
        return new GradeResult(target, ordered, Duration.ofNanos(System.nanoTime() - start), isolation.describe() + exposed(isolation) + cleanup);
    }

    /**
     * A grading run stopped from outside (Ctrl-C, SIGTERM, a CI timeout) must not leave its stage
     * folder (some 30 MB), its cgroup or its processes behind: a shutdown hook ends the processes
     * and removes both. A normal run removes the hook when it has cleaned up itself.
     */
    private Thread cleanupOnExit(AtomicReference<Stage> staged, Isolation isolation) {
        Thread hook = new Thread(() -> {
            stopping.set(true); // no new runner from here on
            // A runner the grading thread started just before it saw the flag is caught by a later round.
            for (int round = 0; round < 5; round++) {
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                isolation.cgroup().ifPresent(Cgroup::remove);
                if (isolation.cgroup().map(g -> !Files.exists(g.dir())).orElse(true)) {
                    break;
                }
            }
            Stage stage = staged.get();
            if (stage != null) {
                try {
                    stage.close();
                } catch (IOException | RuntimeException e) {
                    System.err.println("ipclab grade: could not remove " + stage.root() + ": " + e.getMessage());
                }
            }
        }, "ipclab-grade-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /**
     * Compiles, checks and plans every lab, then runs each within the run's deadline; {@code results} gets
     * one entry per lab of {@code labs}. The labs they build on are compiled too, once each, graded or not.
     *
     * @param tree every lab of the tree being graded, {@code labs} among them
     */
    private void gradeIn(Stage stage, Isolation isolation, List<Lab> tree, List<Lab> labs, long runDeadline,
                         Map<Lab, LabResult> results) {
        // Everything is compiled and planned before any student code runs, so no lab's code can
        // change another lab's tests, or its own, before they are compiled.
        Map<Lab, PreparedLab> prepared = new LinkedHashMap<>();
        for (Lab lab : labs) {
            guarded(lab, results, () -> prepared.put(lab, prepare(lab, tree, stage)));
        }
        // The labs built on but not graded in this run: why one could not be prepared goes here, not in the report.
        Map<Lab, LabResult> earlierProblems = new LinkedHashMap<>();
        for (Lab lab : labs) {
            if (prepared.containsKey(lab)) {
                for (Lab earlier : prepared.get(lab).earlier()) {
                    if (!prepared.containsKey(earlier) && !results.containsKey(earlier) && !earlierProblems.containsKey(earlier)) {
                        guarded(earlier, earlierProblems, () -> prepared.put(earlier, prepare(earlier, tree, stage)));
                    }
                }
            }
        }
        progress.compiling(prepared.size());
        Map<String, LabCompiler.Result> compiled = compileAll(prepared, labs, stage, results);
        EarlierLabs earlierLabs = new EarlierLabs(stage, labs, prepared, compiled, merged(results, earlierProblems),
                (errors, lab) -> inOriginalFiles(errors, lab, prepared.get(lab)));
        for (Lab lab : labs) {
            if (prepared.containsKey(lab) && !results.containsKey(lab)) {
                guarded(lab, results, () -> check(lab, prepared, compiled, earlierLabs, stage).ifPresent(broken -> results.put(lab, broken)));
            }
        }
        for (Lab lab : prepared.keySet()) {
            if (!labs.contains(lab) && Files.isDirectory(stage.lab(lab))) {
                guarded(lab, earlierProblems, () -> stage.closeLab(lab)); // only graded labs are opened, each for its own tests
            }
        }
        for (Lab lab : labs) {
            if (results.containsKey(lab)) {
                continue;
            }
            Duration left = Duration.ofNanos(runDeadline - System.nanoTime());
            if (left.isNegative() || left.isZero()) {
                results.put(lab, LabResult.notGraded(lab, prepared.get(lab).plan(), "not graded: the run's time budget of "
                        + describe(options.runBudget()) + " was spent on the labs before it"));
                continue;
            }
            Duration budget = left.compareTo(options.budgetOf(lab.number())) < 0 ? left : options.budgetOf(lab.number());
            long labStart = System.nanoTime();
            progress.labStarted(lab.slug(), prepared.get(lab).plan().size());
            guarded(lab, results, () -> results.put(lab, run(lab, prepared.get(lab), stage, isolation, budget)));
            progress.labFinished(results.get(lab), Duration.ofNanos(System.nanoTime() - labStart));
        }
    }

    /**
     * A warning when the student user can read the hidden tests' sources or the reference
     * solutions: the isolation keeps it from writing, but what it can read it can copy.
     */
    private String exposed(Isolation isolation) {
        StringBuilder warning = new StringBuilder();
        for (Path secret : new Path[] {options.hiddenRoot(), options.root().resolve("solutions")}) {
            boolean graded = secret != null && options.labsRoot().toAbsolutePath().normalize().equals(secret.toAbsolutePath().normalize());
            if (secret != null && !graded && isolation.readableByStudent(secret)) {
                warning.append("\nwarning: the student user can read ").append(secret)
                        .append(": close it with chmod 700 (or a parent folder with chmod o-x)");
            }
        }
        return warning.toString();
    }

    private static String describe(Duration d) {
        return d.toSeconds() >= 120 ? d.toMinutes() + " min" : d.toMillis() / 1000.0 + " s";
    }

    /** A step of grading one lab; whatever it throws marks that lab broken, never the run. */
    private interface Step {
        void run() throws Exception;
    }

    private void guarded(Lab lab, Map<Lab, LabResult> results, Step step) {
        try {
            step.run();
        } catch (LabSources.Refused e) {
            results.put(lab, LabResult.broken(lab, "the lab's files can be graded", e.getMessage()));
        } catch (LabClassPath.Refused e) {
            results.put(lab, LabResult.broken(lab, "the lab's pom.xml declares what it may", e.getMessage()));
        } catch (IsolatedTestRun.IntegrityFailure e) {
            results.put(lab, LabResult.broken(lab, "the lab's tests ran untampered",
                    "integrity failure: " + e.getMessage() + "\nNo points can be trusted, so the lab scores 0."
                            + " Code under test that writes the grader's files or forges its results is reported to the instructor."));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            results.put(lab, LabResult.broken(lab, "the lab was graded", "grading was interrupted"));
        } catch (Exception | Error e) {
            results.put(lab, LabResult.broken(lab, "the lab was graded", "the grader could not grade this lab: " + e
                    + "\nOther labs were graded as usual; show this message to the instructor."));
        }
    }

    /**
     * A lab on its way to being run: its sources copied and its class path known, later compiled and planned.
     *
     * @param classPath the support code and libraries it compiles against
     * @param earlier   the labs it builds on, each after those it builds on itself; their classes come before {@code classPath}
     */
    record PreparedLab(Path work, Path sources, List<Path> classPath, List<Lab> earlier, List<PlannedTest> plan,
                       String hiddenProblem) {
        PreparedLab with(List<PlannedTest> newPlan, String problem) {
            return new PreparedLab(work, sources, classPath, earlier, newPlan, problem);
        }
    }

    /** Copies the lab's sources and finds what it compiles against, among the labs of {@code tree} too. */
    private PreparedLab prepare(Lab lab, List<Lab> tree, Stage stage) throws IOException, LabSources.Refused, LabClassPath.Refused {
        Path work = options.workRoot().resolve(lab.id());
        Trees.delete(work);
        Files.createDirectories(work);
        Path sources = LabSources.copy(lab.folder(), work);
        LabClassPath.Resolved resolved = stage.labClassPath(options.root().resolve("labs/support/pom.xml")).of(lab.folder());
        List<Lab> earlier = resolved.earlierLabs().stream()
                .map(folder -> tree.stream().filter(l -> l.folder().equals(folder)).findFirst().orElseThrow()).toList();
        return new PreparedLab(work, sources, resolved.libraries(), earlier, List.of(), null);
    }

    private static Map<Lab, LabResult> merged(Map<Lab, LabResult> a, Map<Lab, LabResult> b) {
        Map<Lab, LabResult> all = new LinkedHashMap<>(a);
        all.putAll(b);
        return all;
    }

    /**
     * The lab, its graded tests and the hidden tests: every lab's, in one compiling
     * JVM. Each job's result by name ({@code lab02/lab}, {@code lab02/tests}, {@code lab02/hidden});
     * when the compiler cannot even run, every lab is marked with the reason and the map is empty.
     */
    private Map<String, LabCompiler.Result> compileAll(Map<Lab, PreparedLab> prepared, List<Lab> labs, Stage stage,
                                                       Map<Lab, LabResult> results) {
        try {
            return new Compilations(options.root(), stage.libraries(), options.workRoot(), COMPILE_DEADLINE)
                    .run(jobs(prepared, labs, stage));
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            prepared.keySet().stream().filter(labs::contains).forEach(lab -> results.put(lab, LabResult.broken(lab,
                    "the lab compiles", "the grader could not run the compiler: " + e + "\nShow this message to the instructor.")));
            return Map.of();
        }
    }

    /**
     * Per lab: the lab against the labs it builds on and what its pom declares (as its Maven module
     * compiles); its tests against those labs and the grader's classes and libraries (the test kit among
     * them); the hidden tests against all of those. A lab is compiled once, after the labs it builds on,
     * and only if they compiled; a lab built on but not graded gets no test jobs.
     */
    private List<CompileJob> jobs(Map<Lab, PreparedLab> prepared, List<Lab> labs, Stage stage) throws IOException {
        Set<Lab> order = new LinkedHashSet<>();
        for (Lab lab : labs) {
            if (prepared.containsKey(lab)) {
                order.addAll(prepared.get(lab).earlier());
                order.add(lab);
            }
        }
        List<CompileJob> jobs = new ArrayList<>();
        for (Lab lab : order) {
            PreparedLab p = prepared.get(lab);
            if (p == null) {
                continue; // an earlier lab that could not be prepared: the labs on it require a job that never ran
            }
            Path src = p.sources();
            String id = lab.id();
            List<Path> earlierClasses = p.earlier().stream().map(stage::classes).toList();
            List<Path> classPath = new ArrayList<>(earlierClasses);
            classPath.addAll(p.classPath());
            jobs.add(new CompileJob(id + "/lab", List.of(src.resolve("main/java")), List.of(src.resolve("main/resources")),
                    classPath, stage.classes(lab), p.earlier().stream().map(e -> e.id() + "/lab").toList()));
            if (!labs.contains(lab)) {
                continue;
            }
            List<Path> withLab = new ArrayList<>(stage.libraries());
            withLab.add(stage.classes(lab));
            withLab.addAll(earlierClasses);
            jobs.add(new CompileJob(id + "/tests", List.of(lab.visibleTests()), List.of(), withLab, stage.testClasses(lab),
                    List.of(id + "/lab")));
            if (lab.hiddenTests() != null && shadowingHidden(lab).isEmpty()) {
                jobs.add(new CompileJob(id + "/hidden", List.of(lab.hiddenTests()), List.of(), concat(withLab, stage.testClasses(lab)),
                        stage.hiddenClasses(lab), List.of(id + "/tests")));
            }
        }
        return jobs;
    }

    /** How long one javac run may take: a lab takes a few seconds. */
    private static final Duration COMPILE_DEADLINE = Duration.ofSeconds(120);

    /** The lab compiled, its tests compiled against it, it keeps the rules, and its tests are planned; or why not. */
    private Optional<LabResult> check(Lab lab, Map<Lab, PreparedLab> prepared, Map<String, LabCompiler.Result> compiled,
                                      EarlierLabs earlierLabs, Stage stage) throws IOException {
        LabResult broken = brokenBeforeRunning(lab, prepared.get(lab), compiled, earlierLabs, stage);
        if (broken != null) {
            return Optional.of(broken);
        }
        String hiddenProblem = hiddenProblem(lab, compiled.get(lab.id() + "/hidden"));
        Path hidden = lab.hiddenTests() != null && hiddenProblem == null ? stage.hiddenClasses(lab) : null;
        stage.stageEarlier(lab, prepared.get(lab).earlier());
        stage.closeLab(lab); // until its tests run
        List<PlannedTest> plan = TestPlanner.plan(stage.testClasses(lab), hidden, stage.labClasses(lab), options.timeoutSeconds());
        prepared.put(lab, prepared.get(lab).with(plan, hiddenProblem));
        return Optional.empty();
    }

    /**
     * Why the lab cannot run: it breaks the rules, a lab it builds on cannot be used, it does not compile,
     * or its tests do not compile against it.
     */
    private LabResult brokenBeforeRunning(Lab lab, PreparedLab prepared, Map<String, LabCompiler.Result> compiled,
                                          EarlierLabs earlierLabs, Stage stage) throws IOException {
        // The rules first, on whatever the lab put in its classes folder: a lab that breaks them (a
        // JUnit plugin among its resources, a class named like a test) is refused for that, even
        // when it does not compile either. Hidden test classes count too, even when they did not
        // compile: no lab class may take their names.
        List<Path> testFolders = List.of(stage.testClasses(lab), stage.hiddenClasses(lab));
        Optional<String> refused = LabPolicy.check(lab, stage.classes(lab), testFolders);
        if (refused.isPresent()) {
            return LabResult.broken(lab, "the lab keeps the grader's rules", refused.get());
        }
        LabResult below = earlierLabs.brokenBy(lab);
        if (below != null) {
            return below;
        }
        LabCompiler.Result main = compiled.get(lab.id() + "/lab");
        if (!main.ok()) {
            return LabResult.broken(lab, "the lab compiles", "the lab does not compile, so none of its tests could run:\n"
                    + inOriginalFiles(main.errors(), lab, prepared));
        }
        if (javaFiles(lab.visibleTests()).isEmpty()) {
            return LabResult.broken(lab, "the lab has graded tests",
                    "no graded tests found in " + options.root().relativize(lab.visibleTests()));
        }
        LabCompiler.Result tests = compiled.get(lab.id() + "/tests");
        if (!tests.ok()) {
            return LabResult.broken(lab, "the graded tests compile against the lab",
                    "the graded tests do not compile against this lab: a class, method or signature the handout"
                            + " describes is missing or was changed:\n" + inOriginalFiles(tests.errors(), lab, prepared));
        }
        return null;
    }

    private LabResult run(Lab lab, PreparedLab prepared, Stage stage, Isolation isolation, Duration budget) throws Exception {
        IsolatedTestRun testRun = new IsolatedTestRun(lab, prepared.plan(), stage, isolation, prepared.work(),
                options.timeoutSeconds(), budget, stopping);
        List<TestOutcome> outcomes;
        stage.openLab(lab);
        try {
            outcomes = new ArrayList<>(testRun.run());
        } finally {
            stage.closeLab(lab);
        }
        if (!testRun.leftovers().isEmpty()) {
            outcomes.add(new TestOutcome(lab.number() + "." + (outcomes.size() + 1), "the lab left nothing behind after its tests",
                    0, 0, false, String.join("\n", testRun.leftovers()), null, false));
        }
        if (prepared.hiddenProblem() != null) {
            outcomes.add(new TestOutcome(lab.number() + "." + (outcomes.size() + 1), "the instructor's hidden tests compile",
                    0, 0, false, prepared.hiddenProblem(), null, true));
        }
        return new LabResult(lab, outcomes);
    }

    /** Compiler messages name the copy of the sources the grader compiled: show the student's own files instead. */
    private String inOriginalFiles(String errors, Lab lab, PreparedLab prepared) {
        return errors.replace(shown(prepared.sources()) + "/", shown(lab.folder().resolve("src")) + "/");
    }

    private String shown(Path p) {
        Path absolute = p.toAbsolutePath().normalize();
        return absolute.startsWith(options.root()) ? options.root().relativize(absolute).toString() : absolute.toString();
    }

    /** Why the hidden tests are not graded (they clash with visible ones, or do not compile), or {@code null}. */
    private String hiddenProblem(Lab lab, LabCompiler.Result hidden) throws IOException {
        if (lab.hiddenTests() == null) {
            return null;
        }
        List<String> shadowing = shadowingHidden(lab);
        if (!shadowing.isEmpty()) {
            return "hidden test files reuse the names of visible ones and would replace them: "
                    + shadowing + "; give hidden test classes names of their own";
        }
        return hidden.ok() ? null : "the hidden tests do not compile, so only the visible tests were graded:\n" + hidden.errors();
    }

    /** Hidden test files with the path of a visible one, which would silently replace it. */
    private static List<String> shadowingHidden(Lab lab) throws IOException {
        List<String> visible = javaFiles(lab.visibleTests()).stream().map(p -> lab.visibleTests().relativize(p).toString()).toList();
        return javaFiles(lab.hiddenTests()).stream().map(p -> lab.hiddenTests().relativize(p).toString())
                .filter(visible::contains).toList();
    }

    /**
     * The grader's own classes and libraries: the labs and their tests compile and run against
     * them (support, JUnit, AssertJ). The build writes the libraries to target/classpath.txt.
     */
    static List<Path> graderClasspath() throws IOException {
        Path classes;
        try {
            classes = Path.of(Grader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path listing = classes.resolveSibling("classpath.txt");
        if (!Files.isDirectory(classes) || !Files.exists(listing)) {
            return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator)).map(Path::of).toList();
        }
        List<Path> entries = new ArrayList<>();
        entries.add(classes);
        for (String entry : Files.readString(listing).strip().split(java.io.File.pathSeparator)) {
            // A dependency of type pom (junixsocket-core) is listed as its .pom file: no classes there.
            if (!entry.isBlank() && !entry.endsWith(".pom")) {
                entries.add(Path.of(entry));
            }
        }
        return entries;
    }

    private static List<Path> javaFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static List<Path> concat(List<Path> list, Path extra) {
        List<Path> all = new ArrayList<>(list);
        all.add(extra);
        return all;
    }
}
