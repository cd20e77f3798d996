package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import ipclab.support.BuildFacts;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process manager of its own for a demo or a benchmark: a temporary folder holding the home, and
 * the daemons that serve it. {@link #close} stops them and removes the folder; so does Ctrl-C,
 * through a shutdown hook, so that neither a failure nor an interrupted demo leaves a daemon, an app
 * or a folder behind (the daemon runs in a session of its own: the terminal's SIGINT never reaches it).
 * Given code.
 */
final class ScratchHome implements AutoCloseable {

    /** How long a daemon may take to stop its apps and exit after {@code kill}. */
    private static final Duration GONE = Duration.ofSeconds(10);

    private final Path root;
    private final Home home;
    /** Daemons run in the foreground by the demo itself, in other homes below {@link #root}. */
    private final List<Process> foreground = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "scratch home clean-up");
    private boolean closed;

    private ScratchHome(Path root) {
        this.root = root;
        this.home = new Home(root.resolve("home"));
    }

    /** A new temporary folder (0700, as the JDK makes them) with an empty home in it; no daemon yet. */
    static ScratchHome create(String prefix) throws IOException {
        ScratchHome scratch = new ScratchHome(Files.createTempDirectory(prefix));
        Runtime.getRuntime().addShutdownHook(scratch.hook);
        return scratch;
    }

    Home home() {
        return home;
    }

    /** Another home beside the main one, for a second daemon. */
    Home sibling(String name) {
        return new Home(root.resolve(name));
    }

    /** A connection to the home's daemon, started now if none runs: the way {@code pm} connects. */
    ControlClient client() throws IOException {
        return Launcher.ensureDaemon(home);
    }

    /** A connection that receives every event of the daemon from now on: read them with {@link #nextEvent}. */
    ControlClient subscribe() throws IOException, Refusal {
        ControlClient events = client();
        try {
            events.call("subscribe", JsonNodeFactory.instance.objectNode());
            return events;
        } catch (IOException | Refusal | RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /** The next event on a {@link #subscribe}d connection, waiting at most {@code deadline}. */
    static JsonNode nextEvent(ControlClient events, Duration deadline) throws IOException {
        JsonNode item = events.receive(deadline);
        if (item == null) {
            throw new IOException("the daemon closed the event stream (see daemon.log)");
        }
        return item.path("event");
    }

    /** A command line that runs {@code main} in a JVM like this one: its java, the course's flags, its class path. */
    static List<String> java(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(BuildFacts.jvmFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code command}, a daemon in the foreground, to be stopped at {@link #close}. Its stderr joins its stdout. */
    synchronized Process startForeground(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        foreground.add(process);
        return process;
    }

    /**
     * Stops the home's daemon with {@code kill} (it stops every app first), and the foreground daemons
     * with SIGTERM, then removes the folder. A daemon that does not exit in time is killed with SIGKILL,
     * the processes it started with it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(home);
        for (Process process : foreground) {
            process.destroy(); // SIGTERM: the daemon shuts down as it does on kill
            try {
                if (!process.waitFor(GONE.toMillis(), TimeUnit.MILLISECONDS)) {
                    killWithChildren(process.toHandle());
                }
            } catch (InterruptedException e) {
                killWithChildren(process.toHandle());
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + root + ": " + e.getMessage());
        }
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down already: the hook is what is running this, or will find it done.
            }
        }
    }

    private static void stop(Home home) {
        try {
            Optional<ControlClient> running = ControlClient.connectIfServed(home.socket());
            if (running.isEmpty()) {
                return;
            }
            try (ControlClient client = running.get()) {
                client.call("kill");
                if (client.awaitEnd(GONE)) {
                    return;
                }
            }
        } catch (IOException | Refusal | RuntimeException e) {
            System.err.println("the daemon of " + home.dir() + " did not stop on kill (" + e.getMessage() + "): SIGKILL");
        }
        daemonPid(home).flatMap(ProcessHandle::of).ifPresent(ScratchHome::killWithChildren);
    }

    /**
     * Waits for {@code daemon}, an exiting daemon this JVM started: {@link Launcher#spawnDaemon} is its
     * parent, so until someone waits for it, it stays a zombie ({@code Z} in {@code ps}).
     */
    static void reap(long daemon) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Libc.waitpid(daemon, arena.allocate(ValueLayout.JAVA_INT), 0);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ECHILD) {
                throw e;
            }
            // Not ours (another pm started it), or reaped already: nothing to wait for.
        }
    }

    private static Optional<Long> daemonPid(Home home) {
        try {
            String text = Files.readString(home.pidFile()).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void killWithChildren(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
