package ipclab.grader.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes runner events as JSON lines, each one flushed to the kernel before the test goes on. */
public final class EventLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;

    EventLog(Path file) throws IOException {
        this.out = new FileOutputStream(file.toFile(), true);
    }

    synchronized void write(RunnerEvent event) {
        try {
            out.write(JSON.writeValueAsBytes(event));
            out.write('\n');
            out.flush(); // FileOutputStream has no buffer: each event is one write(2)
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the event log", e);
        }
    }

    /** Reads a log back; a last line cut short by a crash is ignored. */
    public static List<RunnerEvent> read(Path file) throws IOException {
        List<RunnerEvent> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        for (String line : Files.readAllLines(file)) {
            try {
                events.add(JSON.readValue(line, RunnerEvent.class));
            } catch (IOException partialLine) {
                break;
            }
        }
        return events;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
