package ipclab.lab02;

import java.io.IOException;
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
        throw new UnsupportedOperationException("TODO: start the commands with ProcessBuilder.startPipeline, feed and collect with ChildIo, waitFor every process, check exit statuses");
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
        throw new UnsupportedOperationException("TODO: pipe2 between neighbours, redirect through /proc/self/fd/N, close the parent's copies, feed and collect, waitFor all");
    }
}
