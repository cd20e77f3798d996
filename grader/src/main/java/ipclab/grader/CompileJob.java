package ipclab.grader;

import java.nio.file.Path;
import java.util.List;

/**
 * One javac run of a grading run, done by a {@link CompileWorker}.
 *
 * @param name      e.g. {@code lab02/tests}
 * @param requires  the name of an earlier job that must have compiled for this one to run, or {@code null}
 */
record CompileJob(String name, List<Path> sources, List<Path> resources, List<Path> classpath, Path classes,
                  String requires) {
}
