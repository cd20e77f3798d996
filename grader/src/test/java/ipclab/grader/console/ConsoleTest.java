package ipclab.grader.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConsoleTest {

    private static final Path ROOT = Path.of(System.getProperty("ipclab.root", "..")).toAbsolutePath().normalize();

    @Test
    @DisplayName("each typed command runs the launcher with its words; quit ends the console")
    void runsCommands() throws Exception {
        List<List<String>> ran = new ArrayList<>();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        byte[] typed = "demo pipes --no-pause\ngrade 2\nhelp\nfrobnicate\nquit\nlist\n".getBytes(StandardCharsets.UTF_8);
        try (Terminal terminal = new DumbTerminal("test", "dumb", new ByteArrayInputStream(typed), screen, StandardCharsets.UTF_8)) {
            new Console(ROOT, args -> {
                ran.add(args);
                return 0;
            }).run(terminal);
        }
        assertThat(ran).containsExactly(List.of("demo", "pipes", "--no-pause"), List.of("grade", "2"));
        assertThat(screen.toString(StandardCharsets.UTF_8))
                .contains("demo NAME [--no-pause]", "unknown command 'frobnicate': try help");
    }

    @Test
    @DisplayName("Tab completes commands, then lab topics for demo")
    void completes() throws Exception {
        try (Terminal terminal = new DumbTerminal("test", "dumb", new ByteArrayInputStream(new byte[0]),
                new ByteArrayOutputStream(), StandardCharsets.UTF_8)) {
            Console console = new Console(ROOT, args -> 0);
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).build();
            assertThat(candidates(console, reader, "de")).contains("demo");
            assertThat(candidates(console, reader, "demo ")).contains("fd-table", "pipes");
            assertThat(candidates(console, reader, "grade ")).contains("1", "2", "--solutions");
        }
    }

    private static List<String> candidates(Console console, LineReader reader, String line) {
        List<Candidate> found = new ArrayList<>();
        console.completer().complete(reader, new DefaultParser().parse(line, line.length(), Parser.ParseContext.COMPLETE), found);
        return found.stream().map(Candidate::value).toList();
    }
}
