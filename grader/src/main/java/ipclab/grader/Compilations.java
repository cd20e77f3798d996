package ipclab.grader;

import ipclab.support.BuildFacts;
import ipclab.support.ProcessTree;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a grading run's compile jobs in a {@link CompileWorker} JVM, each under a deadline. A job
 * past its deadline fails ("compiling took longer than…"), the worker is killed, and a new one
 * carries on with the jobs after it: one lab's sources cannot stop the others from compiling.
 */
final class Compilations {

    private final Path root;
    private final List<Path> graderClasspath;
    private final Path work;
    private final Duration perJob;

    Compilations(Path root, List<Path> graderClasspath, Path work, Duration perJob) {
        this.root = root;
        this.graderClasspath = graderClasspath;
        this.work = work;
        this.perJob = perJob;
    }

    /** Every job's outcome, by name. */
    Map<String, LabCompiler.Result> run(List<CompileJob> jobs) throws IOException, InterruptedException {
        Map<String, LabCompiler.Result> results = new LinkedHashMap<>();
        Files.createDirectories(work);
        List<CompileJob> left = new ArrayList<>(jobs);
        for (int attempt = 1; !(left = settleRequirements(left, results)).isEmpty(); attempt++) {
            Path jobsFile = work.resolve("compile-jobs-" + attempt + ".json");
            Path outcomes = work.resolve("compile-results-" + attempt + ".jsonl");
            Path log = work.resolve("compile-" + attempt + ".log");
            CompileWorker.JSON.writeValue(jobsFile.toFile(), left);
            Files.deleteIfExists(outcomes);
            Process worker = start(jobsFile, outcomes, log);
            boolean killed = false;
            int seen = 0;
            long lastProgress = System.nanoTime();
            while (!worker.waitFor(200, TimeUnit.MILLISECONDS)) {
                int now = read(outcomes).size();
                if (now != seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > perJob.toNanos()) {
                    killed = true;
                    ProcessTree.kill(worker.toHandle(), Duration.ofSeconds(10));
                    break;
                }
            }
            worker.waitFor();
            List<CompileWorker.Outcome> done = read(outcomes);
            for (int i = 0; i < done.size(); i++) {
                CompileWorker.Outcome o = done.get(i);
                results.put(o.name(), new LabCompiler.Result(o.ok(), left.get(i).classes(), o.errors()));
            }
            if (done.size() < left.size()) { // the worker ended during this job
                CompileJob stopped = left.get(done.size());
                results.put(stopped.name(), new LabCompiler.Result(false, stopped.classes(), killed
                        ? "compiling took longer than " + perJob.toSeconds() + " s, so the grader stopped it: javac works"
                          + " that long only on unusual code (deeply nested generic types, huge constants or initialisers)"
                        : "the compiler stopped (exit status " + worker.exitValue() + ") while compiling this:\n" + tail(log)));
                left = new ArrayList<>(left.subList(done.size() + 1, left.size()));
            } else {
                left = List.of();
            }
        }
        return results;
    }

    /**
     * Jobs whose requirement already has a result: dropped with the reason when it failed, sent
     * without it when it compiled (a new worker knows nothing of the old one's results).
     */
    private static List<CompileJob> settleRequirements(List<CompileJob> jobs, Map<String, LabCompiler.Result> results) {
        List<CompileJob> settled = new ArrayList<>();
        for (CompileJob job : jobs) {
            var failed = job.failedRequirement(r -> results.containsKey(r) && !results.get(r).ok());
            if (failed.isPresent()) {
                results.put(job.name(), new LabCompiler.Result(false, job.classes(), CompileJob.notCompiled(failed.get())));
            } else {
                settled.add(new CompileJob(job.name(), job.sources(), job.resources(), job.classpath(), job.classes(),
                        job.requires().stream().filter(r -> !results.containsKey(r)).toList()));
            }
        }
        return settled;
    }

    private Process start(Path jobsFile, Path outcomes, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss8m"));
        command.add("-cp");
        command.add(graderClasspath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(CompileWorker.class.getName());
        command.addAll(List.of(root.toString(), jobsFile.toString(), outcomes.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static List<CompileWorker.Outcome> read(Path outcomes) {
        List<CompileWorker.Outcome> list = new ArrayList<>();
        try {
            if (!Files.exists(outcomes)) {
                return list;
            }
            String text = Files.readString(outcomes);
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (!line.isBlank()) {
                    list.add(CompileWorker.JSON.readValue(line, CompileWorker.Outcome.class));
                }
            }
        } catch (IOException e) {
            // A line half written: the next look sees it whole.
        }
        return list;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.subList(Math.max(0, lines.size() - 10), lines.size()).stream()
                    .map(l -> "    " + l).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "";
        }
    }
}
