package ipclab.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ipclab launcher's commands that need no build: it finds a JDK 25 and knows every lab. */
class LauncherTest {

    @Test
    @DisplayName("./ipclab --help finds a JDK 25 and lists the commands")
    void help() throws Exception {
        Run run = ipclab("--help");
        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("grade [N[,N]]", "demo NAME", "bench NAME", "serve [OPTIONS]", "console", "student-tree DIR");
    }

    @Test
    @DisplayName("./ipclab list names every lab with its demo")
    void list() throws Exception {
        Run run = ipclab("list");
        assertThat(run.status()).as(run.output()).isZero();
        for (String slug : ReferenceTreesTest.labSlugs("labs")) {
            assertThat(run.output()).contains(slug, "./ipclab demo " + slug.substring(6));
        }
    }

    @Test
    @DisplayName("an unknown command is refused with the usage and status 2")
    void unknownCommand() throws Exception {
        Run run = ipclab("frobnicate");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.output()).contains("unknown command 'frobnicate'", "Usage: ./ipclab");
    }

    private record Run(int status, String output) {
    }

    private static Run ipclab(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", ReferenceTreesTest.ROOT.resolve("ipclab").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("ipclab " + String.join(" ", args) + " did not finish in 60 s:\n" + output);
        }
        return new Run(p.exitValue(), output);
    }
}
