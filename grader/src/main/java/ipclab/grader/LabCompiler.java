package ipclab.grader;

import ipclab.support.BuildFacts;
import ipclab.testkit.Trees;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles one lab (or its tests) with the JDK's compiler, in this JVM, into a folder of its own.
 * Doing it here rather than in the Maven reactor is what lets one lab fail to compile while every
 * other lab is still graded.
 */
public final class LabCompiler {

    /** The outcome: where the classes went, or the compiler's errors as a person reads them. */
    public record Result(boolean ok, Path classes, String errors) {
    }

    private final Path root;

    /** @param root the repository root; error messages show paths relative to it */
    public LabCompiler(Path root) {
        this.root = root;
    }

    /**
     * Compiles every {@code .java} file below {@code sourceFolders} against {@code classpath} into
     * {@code classes} (emptied first), and copies resources from {@code resourceFolders}.
     */
    public Result compile(List<Path> sourceFolders, List<Path> resourceFolders, List<Path> classpath, Path classes) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("this JVM (" + System.getProperty("java.home")
                    + ") has no Java compiler: the grader needs a JDK " + BuildFacts.javaRelease() + ", not a JRE");
        }
        try {
            Trees.delete(classes);
            Files.createDirectories(classes);
            List<Path> sources = javaFiles(sourceFolders);
            if (sources.isEmpty()) {
                return new Result(true, classes, "");
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                // Without a -sourcepath javac also reads .java files it finds on the class path (a lab's
                // resources are there) and compiles them in place of library classes. The source path
                // given is the output folder, emptied above and holding no sources; -implicit:none
                // keeps javac from writing class files for anything not listed.
                List<String> options = List.of(
                        "--release", BuildFacts.javaRelease(), "-proc:none", "-encoding", "UTF-8", "-nowarn", "-g",
                        "-sourcepath", classes.toString(), "-implicit:none",
                        "-d", classes.toString(),
                        "-cp", classpath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
                StringWriter javacOutput = new StringWriter();
                boolean ok = javac.getTask(javacOutput, files, diagnostics, options, null,
                        files.getJavaFileObjectsFromPaths(sources)).call();
                for (Path folder : resourceFolders) {
                    Tree.copy(folder, classes);
                }
                return new Result(ok, classes, ok ? "" : describe(diagnostics.getDiagnostics(), javacOutput.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compile into " + classes, e);
        }
    }

    private static List<Path> javaFiles(List<Path> folders) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path folder : folders) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> walk = Files.walk(folder)) {
                    walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    /** {@code labs/lab02-pipes/src/main/java/ipclab/lab02/Pipe.java:12: error: ';' expected} and the line itself. */
    private String describe(List<Diagnostic<? extends JavaFileObject>> diagnostics, String extra) {
        StringBuilder text = new StringBuilder();
        int errors = 0;
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            if (++errors > 20) {
                text.append("… and more errors\n");
                break;
            }
            String where = d.getSource() == null ? "" : relative(Path.of(d.getSource().toUri())) + ":" + d.getLineNumber() + ": ";
            text.append(where).append("error: ").append(d.getMessage(Locale.ROOT)).append('\n');
            String line = sourceLine(d);
            if (line != null) {
                text.append("    ").append(line.strip()).append('\n');
            }
        }
        return text.isEmpty() ? extra : text.toString();
    }

    private static String sourceLine(Diagnostic<? extends JavaFileObject> d) {
        if (d.getSource() == null || d.getLineNumber() < 1) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(Path.of(d.getSource().toUri()));
            return d.getLineNumber() <= lines.size() ? lines.get((int) d.getLineNumber() - 1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String relative(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path base = root.toAbsolutePath().normalize();
        return absolute.startsWith(base) ? base.relativize(absolute).toString() : absolute.toString();
    }
}
