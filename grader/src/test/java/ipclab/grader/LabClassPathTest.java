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
    void declaredDependenciesOnly() throws Exception {
        List<String> lab07 = names(classPaths.of(ROOT.resolve("labs/lab07-message-queues")).libraries());
        assertThat(lab07).contains("support", "chronicle-queue", "chronicle-core", "HdrHistogram", "picocli")
                .noneMatch(n -> n.startsWith("junit") || n.startsWith("jline") || n.startsWith("junixsocket") || n.equals("classes"));
        List<String> lab05 = names(classPaths.of(ROOT.resolve("labs/lab05-sockets")).libraries());
        assertThat(lab05).contains("support", "junixsocket-common").noneMatch(n -> n.startsWith("chronicle"));
        assertThat(Files.exists(support.resolve("ipclab/support/Libc.class"))).isTrue();
        assertThat(Files.exists(support.resolve("ipclab/build.properties"))).isTrue();
        assertThat(Files.exists(support.resolve("ipclab/grader"))).isFalse();
    }

    @Test
    @DisplayName("a lab that uses a library its pom does not declare does not compile, as in its own module")
    void undeclaredLibraryDoesNotCompile() throws Exception {
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
                classPaths.of(ROOT.resolve("labs/lab01-fd-table")).libraries(), work.resolve("undeclared/classes"));
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

    @Test
    @DisplayName("a lab builds on the labs beside it that its pom names, theirs first, with everything they declare")
    void buildsOnEarlierLabs(@TempDir Path tree) throws Exception {
        Path lab10 = lab(tree, "lab10-cluster", "org.ipclab:support", "com.fasterxml.jackson.core:jackson-core");
        Path lab11 = lab(tree, "lab11-process-manager", "org.ipclab:lab10-cluster", "info.picocli:picocli");
        Path lab12 = lab(tree, "lab12-reload", "org.ipclab:lab11-process-manager", "org.ipclab:lab10-cluster");

        LabClassPath.Resolved resolved = classPaths.of(lab12);
        assertThat(resolved.earlierLabs()).as("each lab after the labs it builds on").containsExactly(lab10, lab11);
        assertThat(names(resolved.libraries())).as("what lab 10 and lab 11 declare, as Maven's compile scope brings it")
                .contains("support", "jackson-core", "picocli").noneMatch(n -> n.startsWith("chronicle"));
        assertThat(classPaths.of(lab10).earlierLabs()).isEmpty();
    }

    @Test
    @DisplayName("a solution's pom names the earlier solution by its module's artifactId: the folder beside it all the same")
    void solutionArtifactId(@TempDir Path tree) throws Exception {
        Path lab10 = lab(tree, "lab10-cluster", "org.ipclab:support");
        Path lab11 = lab(tree, "lab11-process-manager", "org.ipclab:lab10-cluster-solution");
        assertThat(classPaths.of(lab11).earlierLabs()).containsExactly(lab10);
    }

    @Test
    @DisplayName("labs that build on each other are refused, naming the cycle")
    void cycleRefused(@TempDir Path tree) throws Exception {
        lab(tree, "lab10-cluster", "org.ipclab:lab12-reload");
        lab(tree, "lab11-process-manager", "org.ipclab:lab10-cluster");
        Path lab12 = lab(tree, "lab12-reload", "org.ipclab:lab11-process-manager");
        assertThatThrownBy(() -> classPaths.of(lab12)).isInstanceOf(LabClassPath.Refused.class)
                .hasMessageContaining("lab 12 → lab 11 → lab 10 → lab 12");
        Path itself = lab(tree, "lab13-itself", "org.ipclab:lab13-itself");
        assertThatThrownBy(() -> classPaths.of(itself)).isInstanceOf(LabClassPath.Refused.class)
                .hasMessageContaining("lab 13 → lab 13");
    }

    @Test
    @DisplayName("a pom cannot point a dependency outside its tree: a path, a missing lab, a link or a <systemPath> is refused")
    void nothingOutsideTheTree(@TempDir Path tree, @TempDir Path elsewhere) throws Exception {
        Path outside = lab(elsewhere, "lab10-cluster", "org.ipclab:support");
        Path labs = Files.createDirectories(tree.resolve("labs"));
        Files.createSymbolicLink(labs.resolve("lab09-ipc-channel"), outside);
        for (String artifact : List.of("../../lab10-cluster", "lab10-cluster/../../x", "lab10-cluster", "lab09-ipc-channel",
                "grader", "ipc-lab")) {
            Path lab11 = lab(labs, "lab11-process-manager", "org.ipclab:" + artifact);
            assertThatThrownBy(() -> classPaths.of(lab11)).as(artifact).isInstanceOf(LabClassPath.Refused.class)
                    .hasMessageContaining("declares org.ipclab:" + artifact + ", which is not a lab beside it in labs/");
        }
        Path lab12 = Files.createDirectories(labs.resolve("lab12-reload"));
        Files.writeString(lab12.resolve("pom.xml"), """
                <project><dependencies><dependency><groupId>org.ipclab</groupId><artifactId>lab10-cluster</artifactId>
                <scope>system</scope><systemPath>%s</systemPath></dependency></dependencies></project>
                """.formatted(outside));
        assertThatThrownBy(() -> classPaths.of(lab12)).isInstanceOf(LabClassPath.Refused.class)
                .hasMessageContaining("lab12-reload/pom.xml names a file by <systemPath> (" + outside + ")");
    }

    /** A lab folder in {@code tree} whose pom declares {@code dependencies} ("group:artifact"). */
    private static Path lab(Path tree, String folder, String... dependencies) throws IOException {
        Path lab = Files.createDirectories(tree.resolve(folder));
        StringBuilder pom = new StringBuilder("<project><dependencies>\n");
        for (String d : dependencies) {
            String[] ga = d.split(":");
            pom.append("  <dependency><groupId>").append(ga[0]).append("</groupId><artifactId>").append(ga[1])
                    .append("</artifactId></dependency>\n");
        }
        Files.writeString(lab.resolve("pom.xml"), pom.append("</dependencies></project>\n"));
        return lab;
    }

    /** The artifact of each entry: "support" for the support classes, else the folder Maven keeps the jar in. */
    private static List<String> names(List<Path> classpath) {
        return classpath.stream().map(p -> p.equals(support) ? "support"
                : p.getParent() != null && p.getParent().getParent() != null ? p.getParent().getParent().getFileName().toString()
                : p.getFileName().toString()).toList();
    }
}
