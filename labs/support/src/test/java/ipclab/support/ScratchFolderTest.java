package ipclab.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ScratchFolderTest {

    @Test
    @DisplayName("a scratch folder is removed with everything in it, folders, FIFOs and all")
    void removedWhenClosed() throws Exception {
        Path root;
        try (ScratchFolder dir = ScratchFolder.create("ipclab-scratch-test-")) {
            root = dir.path();
            Files.writeString(Files.createDirectories(dir.resolve("a/b")).resolve("c.txt"), "c");
            Libc.mkfifo(dir.resolve("fifo"), 0600);
            assertThat(root).isDirectory();
        }
        assertThat(Files.exists(root)).isFalse();
    }
}
