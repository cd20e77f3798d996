package ipclab.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a lab's compiled classes and resources may be, checked before any of its code runs.
 *
 * <ul>
 *   <li>Every class is in the lab's own package, {@code ipclab.labNN} (or below). A class in another
 *       package could add itself to the grader's, the test kit's, the support code's or JUnit's.</li>
 *   <li>No class has the name of a graded test class, visible or hidden. The graded tests come first
 *       on the class path, so such a class would not even load; refusing it says why.</li>
 *   <li>No {@code META-INF/services} entries and no {@code junit-platform.properties}: the ways a
 *       class on the class path plugs itself into the JUnit Platform. The runner ignores them
 *       anyway; refusing them tells the student instead of silently doing something else.</li>
 * </ul>
 */
final class LabPolicy {

    private LabPolicy() {
    }

    /** Why the lab is refused, or empty when it may run. */
    static Optional<String> check(Lab lab, Path labClasses, List<Path> testClassFolders) throws IOException {
        if (!Files.isDirectory(labClasses)) {
            return Optional.empty(); // never compiled, as when a lab it builds on did not compile: nothing to look at
        }
        String ownPackage = "ipclab." + lab.id();
        Set<String> testClasses = new HashSet<>();
        for (Path folder : testClassFolders) {
            testClasses.addAll(classNames(folder));
        }
        List<String> problems = new ArrayList<>();
        for (String name : classNames(labClasses)) {
            String pkg = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "";
            if (testClasses.contains(name)) {
                problems.add("defines " + name + ", a class of the graded tests: the lab may not replace them");
            } else if (!pkg.equals(ownPackage) && !pkg.startsWith(ownPackage + ".")) {
                problems.add("defines " + name + " in the package " + (pkg.isEmpty() ? "(none)" : pkg)
                        + ": a lab's classes belong in " + ownPackage);
            }
        }
        try (Stream<Path> walk = Files.walk(labClasses)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String relative = labClasses.relativize(p).toString();
                if (relative.startsWith("META-INF/services/")) {
                    problems.add("ships " + relative + ", which would plug code into the test runner");
                } else if (p.getFileName().toString().equals("junit-platform.properties")) {
                    problems.add("ships " + relative + ", which would configure the test runner");
                } else if (relative.endsWith(".java")) {
                    problems.add("ships " + relative + " among its resources: source files belong in src/main/java");
                }
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the grader refused this lab, so none of its tests ran:\n  " + String.join("\n  ", problems.stream()
                .limit(20).toList()) + (problems.size() > 20 ? "\n  … and " + (problems.size() - 20) + " more" : "")
                + "\nA lab's classes live in " + ownPackage + " and plug nothing into the test runner.");
    }

    /** Binary names of the classes below a folder of class files ({@code a.b.C$D}). */
    static Set<String> classNames(Path folder) throws IOException {
        Set<String> names = new HashSet<>();
        if (!Files.isDirectory(folder)) {
            return names;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String relative = folder.relativize(p).toString();
                names.add(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'));
            });
        }
        return names;
    }
}
