package ipclab.grader;

import java.nio.file.Path;
import java.util.List;

/**
 * One lab as the grader sees it: its number, its folder (a student's or a solution), where its
 * handout is, and the folders its graded tests come from (the visible ones, and an instructor's
 * hidden ones if given).
 *
 * @param number      1 for lab01-fd-table
 * @param slug        the folder name, e.g. {@code lab01-fd-table}
 * @param folder      the lab's module folder being graded
 * @param handout     the lab's README.md in the student tree
 * @param visibleTests the folder of the graded tests everybody sees (may not exist)
 * @param hiddenTests  the instructor's hidden tests for this lab, or {@code null}
 */
public record Lab(int number, String slug, Path folder, Path handout, Path visibleTests, Path hiddenTests) {

    /** {@code "lab01"}: the name of the tests folder and of the lab's package. */
    public String id() {
        return String.format("lab%02d", number);
    }

    /** {@code "fd-table"}: the slug without its number, as demos are named. */
    public String topic() {
        return slug.substring(slug.indexOf('-') + 1);
    }

    public Path sources() {
        return folder.resolve("src/main/java");
    }

    public Path resources() {
        return folder.resolve("src/main/resources");
    }

    public List<Path> testFolders() {
        return hiddenTests == null ? List.of(visibleTests) : List.of(visibleTests, hiddenTests);
    }
}
