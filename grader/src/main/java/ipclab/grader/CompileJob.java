package ipclab.grader;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One javac run of a grading run, done by a {@link CompileWorker}.
 *
 * @param name      e.g. {@code lab02/tests}
 * @param requires  the names of earlier jobs that must all have compiled for this one to run: a lab's tests
 *                  need the lab, a lab needs the labs it builds on
 */
record CompileJob(String name, List<Path> sources, List<Path> resources, List<Path> classpath, Path classes,
                  List<String> requires) {

    /** The first job this one requires that {@code failed} says did not compile; empty when there is none. */
    Optional<String> failedRequirement(Predicate<String> failed) {
        return requires.stream().filter(failed).findFirst();
    }

    /** What a job compiles to when {@code requirement} did not compile. */
    static String notCompiled(String requirement) {
        return "not compiled: " + requirement + " did not compile";
    }
}
