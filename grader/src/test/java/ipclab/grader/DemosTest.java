package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import ipclab.grader.runner.RunProcesses;
import ipclab.support.BuildFacts;
import ipclab.support.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every lab's demo, run non-interactively on the reference solution the way an instructor's
 * rehearsal would, and every benchmark on a short run: each must finish, exit 0 and leave no
 * process behind. Each also answers {@code --help} with what it takes, and refuses a misspelt option.
 */
@DisplayName("demos and benchmarks run on the reference solutions")
class DemosTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    /** Each solution is compiled once per test JVM, however many of its mains run: by the folder of its classes. */
    private static final Map<Path, LabCompiler.Result> COMPILED = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> demosAndBenchmarks() throws IOException {
        ReferenceTreesTest.assumeSolutions();
        List<DynamicTest> tests = new ArrayList<>();
        for (String slug : ReferenceTreesTest.labSlugs("solutions")) {
            String pkg = "ipclab." + slug.substring(0, 5);
            Path sources = ROOT.resolve("solutions").resolve(slug).resolve("src/main/java").resolve(pkg.replace('.', '/'));
            tests.add(DynamicTest.dynamicTest(slug + " demo --no-pause", () -> succeeds(slug, pkg + ".Demo", List.of("--no-pause"))));
            tests.add(DynamicTest.dynamicTest(slug + " demo --help", () -> assertThat(succeeds(slug, pkg + ".Demo", List.of("--help")))
                    .contains("Usage:", "--no-pause")));
            if (Files.exists(sources.resolve("Benchmark.java"))) {
                tests.add(DynamicTest.dynamicTest(slug + " benchmark, short run",
                        () -> succeeds(slug, pkg + ".Benchmark", List.of("--round-trips", "2000", "--warmup", "200"))));
                tests.add(DynamicTest.dynamicTest(slug + " benchmark --help", () -> assertThat(
                        succeeds(slug, pkg + ".Benchmark", List.of("--help"))).contains("Usage:", "--round-trips=N", "--warmup=N")));
                tests.add(DynamicTest.dynamicTest(slug + " benchmark refuses a misspelt option", () -> {
                    Finished run = run(slug, pkg + ".Benchmark", List.of("--round-trip", "5"));
                    assertThat(run.status()).as(run.output()).isEqualTo(2);
                    assertThat(run.output()).contains("Unknown option", "'--round-trip'", "Usage:");
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The command line that runs {@code mainClass} of the reference solution of lab {@code slug}: the
     * lab compiled into {@code work}, after the labs it builds on (lab 11 on lab 10, as the grader
     * resolves them: {@link LabClassPath}), on the grader's classpath, with the course's JVM flags.
     */
    static List<String> solutionMain(String slug, String mainClass, List<String> args, Path work) throws IOException {
        List<Path> base = Grader.graderClasspath();
        List<Path> classpath = new ArrayList<>();
        for (Path earlier : resolve(ROOT.resolve("solutions").resolve(slug), base).earlierLabs()) { // each after those it needs
            classpath.add(compile(earlier, classpath, base, work.resolve("earlier").resolve(earlier.getFileName()).resolve("classes")));
        }
        classpath.addFirst(compile(ROOT.resolve("solutions").resolve(slug), classpath, base, work.resolve("classes")));
        classpath.addAll(base);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.add("-cp");
        command.add(classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** The solution in {@code lab} compiled into {@code classes} against {@code earlier} and {@code base}; once per test JVM. */
    private static Path compile(Path lab, List<Path> earlier, List<Path> base, Path classes) {
        LabCompiler.Result compiled = COMPILED.computeIfAbsent(classes, c -> {
            List<Path> classpath = new ArrayList<>(earlier);
            classpath.addAll(base);
            return new LabCompiler(ROOT).compile(List.of(lab.resolve("src/main/java")), List.of(), classpath, c);
        });
        assertThat(compiled.ok()).as(compiled.errors()).isTrue();
        return compiled.classes();
    }

    /**
     * What the grader resolves {@code lab} to; only its earlier labs are used here, so the grader's own
     * class path stands in for the staged copies a grading run makes.
     */
    private static LabClassPath.Resolved resolve(Path lab, List<Path> base) throws IOException {
        Path support = base.stream().filter(e -> Files.isDirectory(e.resolve("ipclab/support"))).findFirst()
                .orElseThrow(() -> new IOException("the support classes are not on the grader's class path"));
        try {
            return new LabClassPath(base, base, support, ROOT.resolve("labs/support/pom.xml")).of(lab);
        } catch (LabClassPath.Refused e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private record Finished(int status, String output) {
    }

    /** Runs it to the end and checks that it exited 0 and printed something; returns what it printed. */
    private static String succeeds(String slug, String mainClass, List<String> args) throws Exception {
        Finished run = run(slug, mainClass, args);
        assertThat(run.status()).as(mainClass + " exit status; it printed:\n" + run.output()).isZero();
        assertThat(run.output()).as(mainClass + " printed nothing").isNotBlank();
        System.out.println(run.output());
        return run.output();
    }

    /** Runs it under the deadline; whatever happens, it leaves no process behind. */
    private static Finished run(String slug, String mainClass, List<String> args) throws Exception {
        Path work = ROOT.resolve("grader/target/selftest-demos").resolve(slug);
        List<String> command = solutionMain(slug, mainClass, args, work);
        Path output = work.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".out");
        String token = UUID.randomUUID().toString();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(RunProcesses.TOKEN_VARIABLE, token);
        Process process = builder.start();
        try {
            boolean finished = process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as(mainClass + " did not finish within " + DEADLINE + ":\n" + text).isTrue();
            assertThat(RunProcesses.find(token)).as(mainClass + " left processes running").isEmpty();
            return new Finished(process.exitValue(), text);
        } finally {
            ProcessTree.kill(process.toHandle(), Duration.ofSeconds(10));
            RunProcesses.find(token).forEach(p -> ProcessTree.kill(p, Duration.ofSeconds(10)));
        }
    }
}
