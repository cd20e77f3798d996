package ipclab.grader.runner;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.engine.JupiterTestEngine;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The JUnit Platform exactly as the grader sets it up, and nothing a lab could add to it.
 *
 * <p>Left to itself, the Platform finds engines, listeners, post-discovery filters and Jupiter
 * extensions through {@code META-INF/services} on the class path, and reads configuration from
 * any {@code junit-platform.properties} it finds there and from system properties. A lab's
 * classes are on that class path, so each of those is a door for student code to change how its
 * own tests run (a listener that turns failures into passes, an extension that skips test bodies).
 * Here every door is shut: the Jupiter engine only, registered by hand; no auto-registration of
 * anything; implicit configuration off; extension auto-detection off. The parent grader discovers
 * the plan with the same request the runner executes, so both see the same test ids.
 */
public final class JupiterOnly {

    private JupiterOnly() {
    }

    /** A launcher with the Jupiter engine and nothing found on the class path. */
    public static Launcher launcher() {
        LauncherConfig config = LauncherConfig.builder()
                .enableTestEngineAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableLauncherDiscoveryListenerAutoRegistration(false)
                .enablePostDiscoveryFilterAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .addTestEngines(new JupiterTestEngine())
                .build();
        return LauncherFactory.create(config);
    }

    /**
     * Every test in the given folders of compiled tests, except those {@code skip} names.
     *
     * @param timeoutSeconds each test's deadline, enforced by Jupiter on a thread of its own
     */
    public static LauncherDiscoveryRequest request(List<Path> testRoots, Set<String> skip, int timeoutSeconds) {
        Predicate<String> wanted = id -> !skip.contains(id);
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClasspathRoots(new LinkedHashSet<>(testRoots)))
                .filters(ClassNameFilter.includeClassNamePatterns(".*"),
                        (PostDiscoveryFilter) d -> FilterResult.includedIf(wanted.test(d.getUniqueId().toString()),
                                () -> "not run yet", () -> "already run"))
                .enableImplicitConfigurationParameters(false)
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                .configurationParameter("junit.jupiter.execution.timeout.default", timeoutSeconds + " s")
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                .configurationParameter("junit.jupiter.execution.timeout.mode", "enabled")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
    }
}
