package ipclab.grader;

import ipclab.grader.api.Graded;
import ipclab.grader.runner.JupiterOnly;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Lists a lab's graded tests in the parent grader, from the compiled tests, with the discovery
 * request the runner uses: the list of tests, their names, points and visibility come from here,
 * where no student code runs, and the runner only reports verdicts for them.
 *
 * <p>Discovery loads the test classes (and the lab classes their signatures name) without
 * initialising any of them, so no static initialiser of the lab runs in this JVM.
 */
final class TestPlanner {

    private TestPlanner() {
    }

    /** @param labClasses the lab's classes, and those of the labs it builds on */
    static List<PlannedTest> plan(Path tests, Path hidden, List<Path> labClasses, int timeoutSeconds) throws IOException {
        List<Path> roots = hidden == null ? List.of(tests) : List.of(tests, hidden);
        List<URL> urls = new ArrayList<>();
        for (Path p : roots) {
            urls.add(url(p));
        }
        for (Path p : labClasses) {
            urls.add(url(p)); // the lab last, as on the runner's class path
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader("graded-tests", urls.toArray(URL[]::new), TestPlanner.class.getClassLoader())) {
            thread.setContextClassLoader(loader);
            TestPlan plan = JupiterOnly.launcher().discover(JupiterOnly.request(roots, Set.of(), timeoutSeconds));
            List<PlannedTest> planned = new ArrayList<>();
            for (TestIdentifier root : plan.getRoots()) {
                for (TestIdentifier t : plan.getDescendants(root)) {
                    if (t.isTest()) {
                        planned.add(describe(t, hidden));
                    }
                }
            }
            return planned;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static PlannedTest describe(TestIdentifier t, Path hidden) {
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
                    points = Math.max(0, graded.points());
                    handout = graded.handout();
                }
            } catch (RuntimeException | LinkageError e) {
                // Cannot be loaded here: worth nothing, and it will fail when run, with the reason.
            }
        }
        boolean isHidden = hidden != null && className != null
                && Files.exists(hidden.resolve(className.replace('.', '/') + ".class"));
        return new PlannedTest(t.getUniqueId(), className, method, t.getDisplayName(), points, handout, isHidden);
    }

    private static URL url(Path p) {
        try {
            return p.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(p.toString(), e);
        }
    }
}
