package ipclab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds the labs to grade: every {@code labNN-topic} folder under the tree being graded. */
public final class LabCatalog {

    private static final Pattern LAB_FOLDER = Pattern.compile("lab(\\d{2})-[a-z0-9-]+");

    private LabCatalog() {
    }

    /** Whether {@code name} is a lab's folder name, {@code lab10-cluster}: two digits, then a topic of a-z, 0-9 and '-'. */
    static boolean isLabFolderName(String name) {
        return LAB_FOLDER.matcher(name).matches();
    }

    /**
     * @param labsRoot    the folder holding the labs being graded ({@code labs/} or {@code solutions/})
     * @param handoutRoot the student tree's {@code labs/} folder, where the handouts are
     * @param testsRoot   the folder holding {@code labNN/} folders of graded tests
     * @param hiddenRoot  an instructor's folder of hidden {@code labNN/} tests, or {@code null}
     */
    public static List<Lab> find(Path labsRoot, Path handoutRoot, Path testsRoot, Path hiddenRoot) {
        if (!Files.isDirectory(labsRoot)) {
            throw new IllegalArgumentException("there is no folder " + labsRoot + " to grade");
        }
        try (Stream<Path> folders = Files.list(labsRoot)) {
            return folders
                    .filter(Files::isDirectory)
                    .map(folder -> toLab(folder, handoutRoot, testsRoot, hiddenRoot))
                    .flatMap(Stream::ofNullable)
                    .sorted(Comparator.comparingInt(Lab::number))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + labsRoot, e);
        }
    }

    private static Lab toLab(Path folder, Path handoutRoot, Path testsRoot, Path hiddenRoot) {
        String slug = folder.getFileName().toString();
        Matcher m = LAB_FOLDER.matcher(slug);
        if (!m.matches()) {
            return null;
        }
        int number = Integer.parseInt(m.group(1));
        String id = String.format("lab%02d", number);
        Path hidden = hiddenRoot == null ? null : hiddenRoot.resolve(id);
        return new Lab(number, slug, folder, handoutRoot.resolve(slug).resolve("README.md"),
                testsRoot.resolve(id), hidden != null && Files.isDirectory(hidden) ? hidden : null);
    }
}
