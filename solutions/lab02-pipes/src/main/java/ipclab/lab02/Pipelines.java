package ipclab.lab02;

import ipclab.support.Libc;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a shell-style pipeline {@code a | b | c} of real commands: each command's stdout is a pipe
 * to the next one's stdin. Two ways: the JDK's {@link ProcessBuilder#startPipeline}, and by hand
 * with {@code pipe2(2)}, as a shell does.
 */
public final class Pipelines {

    private Pipelines() {
    }

    /**
     * Runs the commands as a pipeline with {@link ProcessBuilder#startPipeline}: writes {@code input}
     * to the first command's stdin (then closes it) and returns what the last one writes to stdout.
     * Every stage's stderr goes to ours. Returns once every process has exited.
     *
     * @param commands one or more commands, each a program and its arguments
     * @throws IOException when a command cannot be started, or exits with a status other than 0; the
     *                     message names each such command and its status: {@code 'false' exited with exit status 1}
     */
    public static byte[] startPipeline(List<List<String>> commands, byte[] input) throws IOException, InterruptedException {
        List<ProcessBuilder> stages = commands.stream()
                .map(command -> new ProcessBuilder(command).redirectError(Redirect.INHERIT))
                .toList();
        List<Process> processes = new ArrayList<>();
        try {
            processes.addAll(ProcessBuilder.startPipeline(stages));
            byte[] output = ChildIo.feedAndCollect(processes.getFirst().getOutputStream(),
                    processes.getLast().getInputStream(), input);
            awaitSuccess(commands, processes);
            return output;
        } finally {
            endAll(processes);
        }
    }

    /**
     * The same pipeline, wired by hand: one {@code pipe2(2)} between each two neighbouring commands.
     * A child gets an end as its stdin or stdout through {@code /proc/self/fd/N}: the JDK opens that
     * path in this process before starting the child, and opening it gives a new open file
     * description of the same pipe, which the child then inherits as descriptor 0 or 1.
     *
     * <p>Once a child holds its end, this process closes its own copy. A reader sees end of file only
     * when <em>every</em> write end is closed; a write end forgotten here would keep the next command
     * waiting for input for ever, and the pipeline would never finish.
     *
     * @throws IOException as {@link #startPipeline} does
     */
    public static byte[] handWired(List<List<String>> commands, byte[] input) throws IOException, InterruptedException {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one command");
        }
        int count = commands.size();
        List<Pipe> links = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        try {
            for (int i = 0; i < count - 1; i++) {
                // O_CLOEXEC: no other program this JVM starts meanwhile may inherit these ends by accident.
                links.add(Pipe.open(Libc.O_CLOEXEC));
            }
            for (int i = 0; i < count; i++) {
                ProcessBuilder stage = new ProcessBuilder(commands.get(i)).redirectError(Redirect.INHERIT);
                if (i > 0) {
                    stage.redirectInput(Redirect.from(procFd(links.get(i - 1).readFd())));
                }
                if (i < count - 1) {
                    stage.redirectOutput(Redirect.to(procFd(links.get(i).writeFd())));
                }
                processes.add(stage.start());
                // This child has its own copies now; ours would only keep the pipes open.
                if (i > 0) {
                    links.get(i - 1).closeReadEnd();
                }
                if (i < count - 1) {
                    links.get(i).closeWriteEnd();
                }
            }
            byte[] output = ChildIo.feedAndCollect(processes.getFirst().getOutputStream(),
                    processes.getLast().getInputStream(), input);
            awaitSuccess(commands, processes);
            return output;
        } finally {
            try {
                endAll(processes);
            } finally {
                for (Pipe link : links) {
                    link.close(); // only ends still open: after a failure half way through the set-up
                }
            }
        }
    }

    /** The path through which this process can open its own descriptor {@code fd} once more. */
    private static File procFd(int fd) {
        return new File("/proc/self/fd/" + fd);
    }

    /** Waits for every process; throws when any of them exited with a status other than 0. */
    private static void awaitSuccess(List<List<String>> commands, List<Process> processes)
            throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < processes.size(); i++) {
            int status = processes.get(i).waitFor();
            if (status != 0) {
                failures.add("'" + String.join(" ", commands.get(i)) + "' exited with exit status " + status);
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("pipeline failed: " + String.join("; ", failures));
        }
    }

    /**
     * Kills whatever still runs (only after a failure) and waits for it, then closes the JDK's
     * streams to each process: each holds a pipe descriptor until closed.
     */
    private static void endAll(List<Process> processes) throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor();
            closeQuietly(p.getOutputStream());
            closeQuietly(p.getInputStream());
            closeQuietly(p.getErrorStream());
        }
    }

    private static void closeQuietly(AutoCloseable stream) {
        try {
            stream.close();
        } catch (Exception ignored) {
            // The process is gone; a failing close only means the stream was closed already.
        }
    }
}
