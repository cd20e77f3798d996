package ipclab.grader;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a compiling JVM: runs a list of {@link CompileJob}s one after another with the
 * JDK's compiler and writes one result line per job, flushed as each ends.
 *
 * <p>Compiling happens in a JVM of its own so that it can have a deadline: javac cannot be stopped
 * from inside the JVM that runs it, and student sources can make it work for minutes or exhaust
 * its memory (deeply nested generics, a huge constant). The parent ({@link Compilations}) kills a
 * worker that takes too long on one job and starts another for the jobs after it.
 *
 * <pre>CompileWorker ROOT JOBS.json RESULTS.jsonl</pre>
 */
public final class CompileWorker {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One job's outcome, as a line of the results file. */
    record Outcome(String name, boolean ok, String errors) {
    }

    private CompileWorker() {
    }

    public static void main(String[] args) throws Exception {
        LabCompiler compiler = new LabCompiler(Path.of(args[0]));
        List<CompileJob> jobs = Arrays.asList(JSON.readValue(Path.of(args[1]).toFile(), CompileJob[].class));
        Map<String, Boolean> ok = new HashMap<>();
        try (OutputStream out = new FileOutputStream(args[2], true)) {
            for (CompileJob job : jobs) {
                Outcome outcome;
                var failed = job.failedRequirement(r -> !ok.getOrDefault(r, false));
                if (failed.isPresent()) {
                    outcome = new Outcome(job.name(), false, CompileJob.notCompiled(failed.get()));
                } else {
                    LabCompiler.Result r = compiler.compile(job.sources(), job.resources(), job.classpath(), job.classes());
                    outcome = new Outcome(job.name(), r.ok(), r.errors());
                }
                ok.put(job.name(), outcome.ok());
                out.write((JSON.writeValueAsString(outcome) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        System.exit(0);
    }
}
