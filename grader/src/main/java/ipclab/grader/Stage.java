package ipclab.grader;

import ipclab.grader.isolation.Isolation;
import ipclab.testkit.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The folder a grading run stages everything its runner JVMs see: the grader's classes and
 * libraries, and per lab the compiled lab, its compiled tests, a folder for the runner's event
 * logs and a temp folder. It is short and in /tmp (a Unix socket's path must fit in the 108 bytes
 * of sun_path) and outside the repository, so an unprivileged student user needs no access to the
 * repository at all: it reads the staged copies, writes only the two folders that are its own, and
 * cannot change what the grader compiled. Removed when the run ends.
 *
 * <pre>
 * /tmp/ipclab-grade-XXXX/          the grader's, readable by all
 *   lib/                           the grader's classes (the test kit among them) and libraries
 *   lib/support/                   the support code alone, which labs compile against
 *   lab02/classes/                 the lab, compiled
 *   lab11/builds-on/lab10/         a copy of the classes of a lab it builds on, which its tests run with
 *   lab02/test-classes/            its graded tests, compiled
 *   lab02/hidden-classes/          the instructor's hidden tests, compiled
 *   lab02/runner/                  the student user's: event logs, JVM crash reports
 *   lab02/tmp/                     the student user's: java.io.tmpdir and working folder
 * </pre>
 *
 * <p>Each {@code labNN/} is closed (0700) except while its own tests run, so one lab's code cannot
 * read another lab's hidden tests. That is why a lab's tests run with copies of the earlier labs'
 * classes in its own folder, not with the earlier labs' folders.
 */
final class Stage implements AutoCloseable {

    private final Path root;
    private final Isolation isolation;
    private final List<Path> libraries = new ArrayList<>();
    private final List<Path> originals = new ArrayList<>();
    private Path supportClasses;
    private LabClassPath labClassPath;
    /** By lab: the copies of the classes of the labs it builds on, made by {@link #stageEarlier}. */
    private final Map<Lab, List<Path>> earlierCopies = new HashMap<>();

    private Stage(Path root, Isolation isolation) {
        this.root = root;
        this.isolation = isolation;
    }

    static Stage create(Isolation isolation, List<Path> graderClasspath) throws IOException {
        Path root = Files.createTempDirectory("ipclab-grade-");
        Stage stage = new Stage(root, isolation);
        Path lib = Files.createDirectories(root.resolve("lib"));
        int n = 0;
        for (Path entry : graderClasspath) {
            Path copy = lib.resolve(String.format("%02d-%s", n++, entry.getFileName()));
            if (Files.isDirectory(entry)) {
                Tree.copy(entry, copy);
            } else {
                Files.copy(entry, copy);
            }
            stage.libraries.add(copy);
            stage.originals.add(entry);
        }
        stage.supportClasses = copySupport(graderClasspath, lib.resolve("support"));
        publish(root);
        return stage;
    }

    /**
     * The grader compiles the support code into its own classes; a lab may see only that part. It is
     * the package {@code ipclab.support} and the resources directly in {@code ipclab/} (the build's
     * facts); the grader's own classes and resources are in {@code ipclab/grader/}.
     */
    static Path copySupport(List<Path> graderClasspath, Path into) throws IOException {
        Path classes = graderClasspath.stream().filter(e -> Files.isDirectory(e.resolve("ipclab/support"))).findFirst()
                .orElseThrow(() -> new IOException("the support classes (ipclab/support) are not on the grader's class path"));
        Tree.copy(classes.resolve("ipclab/support"), into.resolve("ipclab/support"));
        try (Stream<Path> files = Files.list(classes.resolve("ipclab"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, into.resolve("ipclab").resolve(file.getFileName()));
            }
        }
        return into;
    }

    Path root() {
        return root;
    }

    /** The staged copies of the grader's classes and libraries, in class-path order. */
    List<Path> libraries() {
        return libraries;
    }

    /**
     * What a lab compiles against, given the support module's pom: the staged support classes and
     * the staged copies of the libraries its pom declares (see {@link LabClassPath}).
     */
    LabClassPath labClassPath(Path supportPom) throws IOException {
        if (labClassPath == null) {
            labClassPath = new LabClassPath(originals, libraries, supportClasses, supportPom);
        }
        return labClassPath;
    }

    Path lab(Lab lab) {
        return root.resolve(lab.id());
    }

    Path classes(Lab lab) {
        return lab(lab).resolve("classes");
    }

    /**
     * Copies the compiled classes of the labs {@code lab} builds on into its own folder, for its tests
     * to run with. Done when everything is compiled and before any lab's code runs.
     */
    void stageEarlier(Lab lab, List<Lab> earlier) throws IOException {
        List<Path> copies = new ArrayList<>();
        for (Lab e : earlier) {
            Path copy = lab(lab).resolve("builds-on").resolve(e.id());
            Trees.delete(copy);
            Tree.copy(classes(e), copy);
            copies.add(copy);
        }
        earlierCopies.put(lab, copies);
    }

    /** The lab's classes, then the staged copies of those of the labs it builds on: the code under test. */
    List<Path> labClasses(Lab lab) {
        List<Path> all = new ArrayList<>();
        all.add(classes(lab));
        all.addAll(earlierCopies.getOrDefault(lab, List.of()));
        return all;
    }

    Path testClasses(Lab lab) {
        return lab(lab).resolve("test-classes");
    }

    Path hiddenClasses(Lab lab) {
        return lab(lab).resolve("hidden-classes");
    }

    /** A fresh folder of the student user's own, below the lab's. */
    Path studentFolder(Lab lab, String name) throws IOException {
        Path dir = lab(lab).resolve(name);
        Trees.delete(dir);
        Files.createDirectories(dir);
        isolation.giveToStudent(dir);
        return dir;
    }

    /**
     * The lab's temp folder, which is also the runner's working folder. It holds an empty
     * {@code target} folder from the start: Chronicle Queue (lab 07) looks for a build folder named
     * {@code target} at or above its working folder and otherwise makes {@code /tmp/target}, which
     * would outlive the run.
     */
    Path tempFolder(Lab lab) throws IOException {
        Path tmp = studentFolder(lab, "tmp");
        isolation.giveToStudent(Files.createDirectory(tmp.resolve("target")));
        return tmp;
    }

    /**
     * Opens a lab's staged classes to the student user for the time its tests run, and closes them
     * again after: the runner must read the lab's hidden tests, but the student code of every
     * other lab need not.
     */
    void openLab(Lab lab) throws IOException {
        publish(lab(lab));
    }

    void closeLab(Lab lab) throws IOException {
        Files.setPosixFilePermissions(lab(lab), PosixFilePermissions.fromString("rwx------"));
    }

    /** Makes everything below {@code dir} readable by every user, whatever the grader's umask. */
    static void publish(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    @Override
    public void close() throws IOException {
        Trees.delete(root);
    }
}
