package ipclab.grader;

import ipclab.grader.runner.Entries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Copying and deleting folder trees. */
final class Tree {

    private Tree() {
    }

    /** Deletes a folder and everything below it (student code may have built a tree there: see {@link Entries#delete}). */
    static void delete(Path folder) throws IOException {
        Entries.delete(folder);
    }

    static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
