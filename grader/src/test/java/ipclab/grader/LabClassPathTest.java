package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lab compiles against what its own pom declares, as its Maven module does, and nothing of the grader's. */
@DisplayName("each lab's class path is its own module's")
class LabClassPathTest {

    private static final Path ROOT = ReferenceTreesTest.ROOT;

    @TempDir
    static Path work;
    private static LabClassPath classPaths;
    private static Path support;

    @BeforeAll
    static void readTheGradersTree() throws IOException {
        List<Path> grader = Grader.graderClasspath();
        support = Stage.copySupport(grader, work.resolve("support"));
        classPaths = new LabClassPath(grader, grader, support, ROOT.resolve("labs/support/pom.xml"));
    }

    @Test
    @DisplayName("a lab gets the support code, its declared libraries and what they need; not JUnit, JLine or the grader")
    void declaredDependenciesOnly() throws IOException {
        List<String> lab07 = names(classPaths.of(ROOT.resolve("labs/lab07-message-queues")));
        assertThat(lab07).contains("support", "chronicle-queue", "chronicle-core", "HdrHistogram", "picocli")
                .noneMatch(n -> n.startsWith("junit") || n.startsWith("jline") || n.startsWith("junixsocket") || n.equals("classes"));
        List<String> lab05 = names(classPaths.of(ROOT.resolve("labs/lab05-sockets")));
        assertThat(lab05).contains("support", "junixsocket-common").noneMatch(n -> n.startsWith("chronicle"));
        assertThat(Files.exists(support.resolve("ipclab/support/Libc.class"))).isTrue();
        assertThat(Files.exists(support.resolve("ipclab/build.properties"))).isTrue();
        assertThat(Files.exists(support.resolve("ipclab/grader"))).isFalse();
    }

    @Test
    @DisplayName("a lab that uses a library its pom does not declare does not compile, as in its own module")
    void undeclaredLibraryDoesNotCompile() throws IOException {
        Path src = Files.createDirectories(work.resolve("undeclared/src/ipclab/lab01"));
        Files.writeString(src.resolve("Console.java"), """
                package ipclab.lab01;

                final class Console {
                    org.jline.terminal.Terminal terminal;
                    ipclab.grader.runner.EventLog log;
                    ipclab.support.Libc libc;
                }
                """);
        LabCompiler compiler = new LabCompiler(ROOT);
        LabCompiler.Result asItsModule = compiler.compile(List.of(src.getParent().getParent()), List.of(),
                classPaths.of(ROOT.resolve("labs/lab01-fd-table")), work.resolve("undeclared/classes"));
        assertThat(asItsModule.ok()).isFalse();
        assertThat(asItsModule.errors()).contains("package org.jline.terminal does not exist", "package ipclab.grader.runner does not exist")
                .doesNotContain("ipclab.support");
    }

    @Test
    @DisplayName("a pom with a DOCTYPE (an external entity could read another file) is refused")
    void doctypeRefused(@TempDir Path lab) throws IOException {
        Files.writeString(lab.resolve("pom.xml"), """
                <?xml version="1.0"?>
                <!DOCTYPE project [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
                <project><dependencies><dependency><groupId>&secret;</groupId><artifactId>x</artifactId></dependency></dependencies></project>
                """);
        assertThatThrownBy(() -> classPaths.of(lab)).isInstanceOf(IOException.class).hasMessageContaining("DOCTYPE");
    }

    /** The artifact of each entry: "support" for the support classes, else the folder Maven keeps the jar in. */
    private static List<String> names(List<Path> classpath) {
        return classpath.stream().map(p -> p.equals(support) ? "support"
                : p.getParent() != null && p.getParent().getParent() != null ? p.getParent().getParent().getFileName().toString()
                : p.getFileName().toString()).toList();
    }
}
