package ipclab.grader.runner;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import ipclab.grader.api.Graded;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The main class of a runner JVM: runs one lab's graded tests through the JUnit Platform and logs
 * every step to an event file. The grader starts one of these per lab (and another if one dies),
 * so whatever a lab's code does to its JVM costs only that lab.
 *
 * <pre>LabRunner --events FILE --tests DIR [--hidden DIR] [--skip FILE] [--timeout SECONDS]</pre>
 */
public final class LabRunner {

    private LabRunner() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        JdkWarmUp.run();
        int status = 0;
        try (EventLog log = new EventLog(options.events)) {
            LeakGuard guard = new LeakGuard(System.getenv(RunProcesses.TOKEN_VARIABLE),
                    List.of(Path.of("/dev/shm"), Path.of("/dev/mqueue"), Path.of(System.getProperty("java.io.tmpdir"))));
            Launcher launcher = LauncherFactory.create();
            TestPlan plan = launcher.discover(request(options));
            log.write(RunnerEvent.plan(planned(plan, options.hidden)));
            launcher.execute(plan, new GradingListener(log, guard));
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

    private static LauncherDiscoveryRequest request(Options options) throws IOException {
        Set<Path> roots = new LinkedHashSet<>();
        roots.add(options.tests);
        if (options.hidden != null) {
            roots.add(options.hidden);
        }
        Set<String> skip = options.skip == null || !Files.exists(options.skip)
                ? Set.of() : new HashSet<>(Files.readAllLines(options.skip));
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClasspathRoots(roots))
                .filters(ClassNameFilter.includeClassNamePatterns(".*"),
                        (PostDiscoveryFilter) d -> FilterResult.includedIf(!skip.contains(d.getUniqueId().toString()),
                                () -> "not skipped", () -> "already run"))
                .configurationParameter("junit.jupiter.execution.timeout.default", options.timeoutSeconds + " s")
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                .configurationParameter("junit.jupiter.execution.timeout.mode", "enabled")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
    }

    private static List<RunnerEvent.PlannedTest> planned(TestPlan plan, Path hiddenRoot) {
        List<RunnerEvent.PlannedTest> tests = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier t : plan.getDescendants(root)) {
                if (t.isTest()) {
                    tests.add(describe(t, hiddenRoot));
                }
            }
        }
        return tests;
    }

    private static RunnerEvent.PlannedTest describe(TestIdentifier t, Path hiddenRoot) {
        String className = null;
        String method = null;
        int points = 0;
        String handout = null;
        if (t.getSource().orElse(null) instanceof MethodSource source) {
            className = source.getClassName();
            method = source.getMethodName();
            try {
                Method m = source.getJavaMethod();
                Graded graded = m.getAnnotation(Graded.class);
                if (graded != null) {
                    points = graded.points();
                    handout = graded.handout();
                }
            } catch (RuntimeException e) {
                // Cannot load it here: it will fail when run, with the reason.
            }
        }
        boolean hidden = hiddenRoot != null && className != null
                && Files.exists(hiddenRoot.resolve(className.replace('.', '/') + ".class"));
        return new RunnerEvent.PlannedTest(t.getUniqueId(), className, method, t.getDisplayName(), points, handout, hidden);
    }

    private record Options(Path events, Path tests, Path hidden, Path skip, int timeoutSeconds) {

        static Options parse(String[] args) {
            Path events = null;
            Path tests = null;
            Path hidden = null;
            Path skip = null;
            int timeout = 30;
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--events" -> events = Path.of(args[i + 1]);
                    case "--tests" -> tests = Path.of(args[i + 1]);
                    case "--hidden" -> hidden = Path.of(args[i + 1]);
                    case "--skip" -> skip = Path.of(args[i + 1]);
                    case "--timeout" -> timeout = Integer.parseInt(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (events == null || tests == null) {
                throw new IllegalArgumentException("usage: LabRunner --events FILE --tests DIR [--hidden DIR] [--skip FILE] [--timeout S]");
            }
            return new Options(events, tests, hidden, skip, timeout);
        }
    }
}
