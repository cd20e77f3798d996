package ipclab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Trees.delete removes a folder and everything below it")
class TreesTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a tree goes, a link in it is removed without touching what it points to, and a missing path is nothing to do")
    void removesWithoutFollowingLinks() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep me");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file.txt"), "x");
        Files.createSymbolicLink(tree.resolve("link"), outside);
        Files.createSymbolicLink(tree.resolve("up"), dir);
        Trees.delete(dir.resolve("tree"));
        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(outside).hasContent("keep me");
        Trees.delete(dir.resolve("never-made"));
    }

    @Test
    @DisplayName("a tree deeper than PATH_MAX, which a path-based walk cannot remove, goes too")
    void removesADeepTree() throws Exception {
        Path root = Files.createDirectory(dir.resolve("deep"));
        try {
            // 30 levels of 200 bytes, made a level at a time with relative paths: 6,000 bytes, past PATH_MAX.
            Process mkdirs = new ProcessBuilder("bash", "-c", "cd \"$1\" && for i in $(seq 30); do mkdir \"$2\" && cd \"$2\" || exit 1; done",
                    "bash", root.toString(), "d".repeat(200)).inheritIO().start();
            assertThat(mkdirs.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(mkdirs.exitValue()).as("building the deep tree").isZero();
            Trees.delete(root);
            assertThat(root).doesNotExist();
        } finally {
            // Whatever happened above, leave nothing @TempDir's own path-based clean-up cannot remove.
            new ProcessBuilder("rm", "-rf", "--one-file-system", root.toString()).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
        }
    }
}
