package ipclab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Grades a tree of labs. Each lab is compiled on its own, its graded tests are compiled against
 * it, and they run in a JVM of their own: a lab that does not compile, throws, exits, crashes or
 * hangs costs its own points and nothing else.
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
     */
    public record Options(Path root, Path labsRoot, Path testsRoot, Path hiddenRoot, Set<Integer> labs,
                          Path workRoot, int timeoutSeconds, Duration labBudget) {

        /** A lab gets this long in all, however its tests time out: a hanging lab must not hang a class's grading. */
        public static final Duration DEFAULT_LAB_BUDGET = Duration.ofMinutes(5);

        public Options(Path root, Path labsRoot, Path testsRoot, Path hiddenRoot, Set<Integer> labs,
                       Path workRoot, int timeoutSeconds) {
            this(root, labsRoot, testsRoot, hiddenRoot, labs, workRoot, timeoutSeconds, DEFAULT_LAB_BUDGET);
        }

        /** The standard layout: grade {@code target} ("labs", "solutions" or a folder) in repository {@code root}. */
        public static Options standard(Path root, String target, Set<Integer> labs, Path hiddenRoot, int timeoutSeconds) {
            Path labsRoot = root.resolve(target); // "labs", "solutions", or a folder relative to the root or absolute
            return new Options(root, labsRoot, root.resolve("grader/src/labtests"), hiddenRoot, labs,
                    root.resolve("grader/target/grade"), timeoutSeconds);
        }
    }

    private final Options options;
    private final LabCompiler compiler;

    public Grader(Options options) {
        this.options = options;
        this.compiler = new LabCompiler(options.root());
    }

    public GradeResult grade() {
        long start = System.nanoTime();
        List<LabResult> results = new ArrayList<>();
        List<Lab> labs = LabCatalog.find(options.labsRoot(), options.root().resolve("labs"), options.testsRoot(), options.hiddenRoot());
        for (Lab lab : labs) {
            if (options.labs().isEmpty() || options.labs().contains(lab.number())) {
                results.add(grade(lab));
            }
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException("no lab " + options.labs() + " under " + options.labsRoot());
        }
        Path graded = options.labsRoot().toAbsolutePath().normalize();
        String target = graded.startsWith(options.root()) ? options.root().relativize(graded).toString() : graded.toString();
        return new GradeResult(target, results, Duration.ofNanos(System.nanoTime() - start));
    }

    private LabResult grade(Lab lab) {
        Path work = options.workRoot().resolve(lab.id());
        try {
            Tree.delete(work);
            Files.createDirectories(work);
            List<Path> base = graderClasspath();

            LabCompiler.Result main = compiler.compile(List.of(lab.sources()), List.of(lab.resources()), base, work.resolve("classes"));
            if (!main.ok()) {
                return LabResult.broken(lab, "the lab compiles",
                        "the lab does not compile, so none of its tests could run:\n" + main.errors());
            }
            List<Path> withLab = concat(base, main.classes());
            if (javaFiles(lab.visibleTests()).isEmpty()) {
                return LabResult.broken(lab, "the lab has graded tests",
                        "no graded tests found in " + options.root().relativize(lab.visibleTests()));
            }
            // Every lab's tests compile with the shared test kit (labtests/common: waiting with deadlines, cleaning up children).
            LabCompiler.Result tests = compiler.compile(List.of(lab.visibleTests(), options.testsRoot().resolve("common")),
                    List.of(), withLab, work.resolve("test-classes"));
            if (!tests.ok()) {
                return LabResult.broken(lab, "the graded tests compile against the lab",
                        "the graded tests do not compile against this lab: a class, method or signature the handout"
                                + " describes is missing or was changed:\n" + tests.errors());
            }
            List<Path> classpath = concat(withLab, tests.classes());
            HiddenTests hidden = compileHidden(lab, classpath, work);
            if (hidden.classes() != null) {
                classpath = concat(classpath, hidden.classes());
            }
            List<TestOutcome> outcomes = new ArrayList<>(new IsolatedTestRun(lab, classpath, tests.classes(),
                    hidden.classes(), work, options.timeoutSeconds(), options.labBudget()).run());
            if (hidden.problem() != null) {
                outcomes.add(new TestOutcome(lab.number() + "." + (outcomes.size() + 1), "the instructor's hidden tests compile",
                        0, 0, false, hidden.problem(), null, true));
            }
            return new LabResult(lab, outcomes);
        } catch (IsolatedTestRun.RunnerFailed e) {
            return LabResult.broken(lab, "the graded tests run", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("grading " + lab.slug() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while grading " + lab.slug(), e);
        }
    }

    /** Hidden tests compiled, or why they could not be: the instructor's problem, never the student's. */
    private record HiddenTests(Path classes, String problem) {
    }

    /**
     * Compiles an instructor's hidden tests for a lab. When they do not compile, or reuse the name of a
     * visible test class (which would silently shadow it), the visible tests are graded alone and a
     * hidden entry worth nothing tells the instructor why.
     */
    private HiddenTests compileHidden(Lab lab, List<Path> classpath, Path work) throws IOException {
        if (lab.hiddenTests() == null) {
            return new HiddenTests(null, null);
        }
        List<String> visible = javaFiles(lab.visibleTests()).stream().map(p -> lab.visibleTests().relativize(p).toString()).toList();
        List<String> shadowing = javaFiles(lab.hiddenTests()).stream().map(p -> lab.hiddenTests().relativize(p).toString())
                .filter(visible::contains).toList();
        if (!shadowing.isEmpty()) {
            return new HiddenTests(null, "hidden test files reuse the names of visible ones and would replace them: "
                    + shadowing + "; give hidden test classes names of their own");
        }
        LabCompiler.Result hidden = compiler.compile(List.of(lab.hiddenTests()), List.of(), classpath, work.resolve("hidden-classes"));
        return hidden.ok() ? new HiddenTests(hidden.classes(), null)
                : new HiddenTests(null, "the hidden tests do not compile, so only the visible tests were graded:\n" + hidden.errors());
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
