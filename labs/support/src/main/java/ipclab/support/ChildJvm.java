package ipclab.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts a {@code main} class in a new JVM: the same java, classpath and JVM flags ({@link BuildFacts#jvmFlags()}) as this
 * one, so a lab's child process runs the lab's own code.
 *
 * <pre>{@code
 * try (ChildProcess child = ChildJvm.main(EchoChild.class).args("--verbose").start()) {
 *     child.process().getOutputStream().write(...);
 * }   // close() kills the child and everything it started, and waits until they are gone
 * }</pre>
 *
 * Nothing a child starts may outlive its caller, so three things hold: {@link ChildProcess#close()}
 * kills the whole tree; a shutdown hook kills every child still running when this JVM exits; and
 * the child itself (through {@link ChildMain}) exits when its parent dies, so it never lingers as an
 * orphan even when the parent is killed with SIGKILL and no hook runs.
 *
 * <p>By default the child's stdin and stdout are pipes to this process (as with ProcessBuilder) and
 * its stderr is inherited, so its errors show up beside ours instead of filling a pipe nobody reads.
 */
public final class ChildJvm {

    /**
     * Set on a JVM to make the children it starts watch another process (a pid) instead of it. A test
     * that kills a parent to see how the parent's <em>own</em> mechanism stops its children (a
     * channel's EOF, say) sets it to the test JVM's pid: then ChildMain cannot stop them first.
     */
    public static final String WATCH_PID_PROPERTY = "ipclab.children.watch.pid";
    /** Where a Node parent says which descriptor is a child's channel, and how it is written (lab 09). */
    static final Set<String> NODE_CHANNEL_VARIABLES = Set.of("NODE_CHANNEL_FD", "NODE_CHANNEL_SERIALIZATION_MODE");

    private final Class<?> mainClass;
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Redirect stdin = Redirect.PIPE;
    private Redirect stdout = Redirect.PIPE;
    private Redirect stderr = Redirect.INHERIT;
    private Path directory;

    private ChildJvm(Class<?> mainClass) {
        this.mainClass = mainClass;
    }

    /** A child JVM that will run {@code mainClass.main(args)}. */
    public static ChildJvm main(Class<?> mainClass) {
        return new ChildJvm(mainClass);
    }

    public ChildJvm args(String... values) {
        args.addAll(List.of(values));
        return this;
    }

    public ChildJvm args(List<String> values) {
        args.addAll(values);
        return this;
    }

    /** Extra JVM options, e.g. {@code -Xmx64m}, added after the shared {@link BuildFacts#jvmFlags() JVM flags}. */
    public ChildJvm jvmArgs(String... values) {
        jvmArgs.addAll(List.of(values));
        return this;
    }

    public ChildJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public ChildJvm directory(Path value) {
        directory = value;
        return this;
    }

    public ChildJvm redirectInput(Redirect value) {
        stdin = value;
        return this;
    }

    public ChildJvm redirectOutput(Redirect value) {
        stdout = value;
        return this;
    }

    public ChildJvm redirectError(Redirect value) {
        stderr = value;
        return this;
    }

    /** The child shares this process's stdin, stdout and stderr: the same open file descriptions. */
    public ChildJvm inheritIO() {
        stdin = Redirect.INHERIT;
        stdout = Redirect.INHERIT;
        stderr = Redirect.INHERIT;
        return this;
    }

    /** The full command line the child is started with. */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        // A lab's child is small and short-lived: one GC thread and a small heap start faster.
        command.add("-XX:+UseSerialGC");
        String watched = System.getProperty(WATCH_PID_PROPERTY, String.valueOf(ProcessHandle.current().pid()));
        command.add("-D" + ChildMain.PARENT_PID_PROPERTY + "=" + watched);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.add(mainClass.getName());
        command.addAll(args);
        return command;
    }

    /** Starts the child; close the returned handle (try-with-resources) to be sure it is gone. */
    public ChildProcess start() throws IOException {
        return start(stdin, stdout, stderr);
    }

    private ChildProcess start(Redirect in, Redirect out, Redirect err) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectInput(in)
                .redirectOutput(out)
                .redirectError(err);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        // A Node parent's channel is ours alone: Node deletes these from a child's environment, so
        // its grandchildren do not look for a descriptor they never inherited (the JDK closes it).
        builder.environment().keySet().removeAll(NODE_CHANNEL_VARIABLES);
        builder.environment().putAll(env);
        return ChildProcess.register(builder.start(), mainClass.getSimpleName());
    }

    /**
     * Runs the child to completion with stdin closed, capturing stdout and stderr. Both are read at
     * the same time, on two threads: reading one to the end first could deadlock once the child
     * fills the other pipe (lab 02 shows why).
     *
     * @throws java.util.concurrent.TimeoutException when it has not exited by {@code deadline}; it is killed then
     */
    public Result run(Duration deadline) throws IOException, java.util.concurrent.TimeoutException {
        try (ChildProcess child = start(Redirect.PIPE, Redirect.PIPE, Redirect.PIPE)) {
            Process process = child.process();
            process.getOutputStream().close();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new java.util.concurrent.TimeoutException(
                        mainClass.getSimpleName() + " (pid " + process.pid() + ") did not exit within " + deadline + "; it was killed");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + mainClass.getSimpleName(), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("child-output-drain").start(() -> {
            try (in) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                in.transferTo(bytes);
                text.complete(bytes.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }

    /** What a finished child left: its exit code and everything it wrote. */
    public record Result(int exitCode, String stdout, String stderr) {
    }
}
