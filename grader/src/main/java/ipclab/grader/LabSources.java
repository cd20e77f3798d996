package ipclab.grader;

import ipclab.testkit.Trees;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a lab's {@code src/} to where the grader compiles it, taking regular files and folders
 * only. A symbolic link could make the compiler read (and the error message show) any file the
 * grader can read, or loop; a FIFO or device would block it; a folder named {@code Old.java} is
 * not a source file. Any of those refuses the lab with a message saying which path and why.
 */
final class LabSources {

    /** The lab's sources are not what a lab may hand in. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** A lab's sources are a few hundred KiB: these bounds only stop a submission built to fill the disk. */
    static final long MAX_FILE_BYTES = 4L << 20;
    static final long MAX_TOTAL_BYTES = 32L << 20;
    static final int MAX_FILES = 2000;

    private LabSources() {
    }

    /** Copies {@code lab}/src to {@code into}/src; returns the copy. */
    static Path copy(Path lab, Path into) throws IOException, Refused {
        Path from = lab.resolve("src");
        Path to = into.resolve("src");
        Trees.delete(to);
        Files.createDirectories(to);
        if (Files.isSymbolicLink(lab) || Files.isSymbolicLink(from)) {
            throw new Refused(show(lab.getParent(), Files.isSymbolicLink(lab) ? lab : from) + " is a symbolic link: the"
                    + " grader compiles only a lab's own files. Replace it with the folder itself, then grade again.");
        }
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            return to;
        }
        List<String> problems = new ArrayList<>();
        long[] total = {0, 0}; // bytes, files
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String name = dir.getFileName().toString();
                if (!dir.equals(from) && name.endsWith(".java")) {
                    problems.add(show(lab, dir) + " is a folder named like a source file");
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    problems.add(show(lab, file) + " is a symbolic link");
                } else if (!attrs.isRegularFile()) {
                    problems.add(show(lab, file) + " is not a regular file (a FIFO, socket or device)");
                } else if (attrs.size() > MAX_FILE_BYTES) {
                    problems.add(show(lab, file) + " has " + (attrs.size() >> 20) + " MiB: no file of a lab needs more than "
                            + (MAX_FILE_BYTES >> 20) + " MiB");
                } else if ((total[0] += attrs.size()) > MAX_TOTAL_BYTES || ++total[1] > MAX_FILES) {
                    problems.add("src/ holds more than " + (MAX_TOTAL_BYTES >> 20) + " MiB or " + MAX_FILES
                            + " files: the grader stopped copying it");
                    return FileVisitResult.TERMINATE;
                } else {
                    Files.copy(file, to.resolve(from.relativize(file).toString()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                problems.add(show(lab, file) + " cannot be read (" + e.getClass().getSimpleName() + ")");
                return FileVisitResult.CONTINUE;
            }
        });
        if (!problems.isEmpty()) {
            throw new Refused("the lab's src/ may hold only regular files and folders, and folders must not be named"
                    + " like source files:\n  " + String.join("\n  ", problems)
                    + "\nRemove or replace these, then grade again.");
        }
        return to;
    }

    private static String show(Path lab, Path p) {
        return lab.getFileName() + "/" + lab.relativize(p);
    }
}
