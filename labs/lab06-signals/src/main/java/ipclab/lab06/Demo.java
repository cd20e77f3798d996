package ipclab.lab06;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.Libc;
import ipclab.support.ScratchFolder;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Lab 06 live: the kernel's signal masks, signals as events, coalescing, reload, graceful shutdown, exit statuses. */
public final class Demo {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        masksAndEvents(n);
        coalescing(n);
        reload(n);
        gracefulShutdown(n);
        exitStatuses(n);
        n.step("Done");
        n.say("Every child has exited; nothing is left behind.");
    }

    private static void masksAndEvents(Narrator n) throws Exception {
        n.step("What the kernel knows: /proc/PID/status");
        try (ChildProcess child = ChildJvm.main(SignalLoop.class).args("HUP", "INT", "USR1", "TERM").start()) {
            Lines out = new Lines(child);
            out.await(l -> l.startsWith("ready"));
            long pid = child.pid();
            n.say("A child JVM (pid " + pid + ") runs an event loop that handles SIGHUP, SIGINT, SIGUSR1 and SIGTERM.");
            n.shell("grep", "^Sig\\|^ShdPnd", "/proc/" + pid + "/status");
            SignalMasks masks = SignalMasks.of(pid);
            n.say("Decoded (bit N-1 is signal N):");
            n.say("  blocked (SigBlk): " + SignalMasks.describe(masks.blocked()));
            n.say("  ignored (SigIgn): " + SignalMasks.describe(masks.ignored()));
            n.say("  caught  (SigCgt): " + SignalMasks.describe(masks.caught()));
            n.say("HotSpot catches SEGV, BUS, FPE, ILL for its own traps, QUIT for thread dumps, USR2 internally,");
            n.say("PIPE to turn it into EPIPE, and HUP, INT, TERM to run shutdown hooks; USR1 is ours.");

            n.step("Signals delivered into an event loop (the self-pipe)");
            for (int signal : new int[] {Libc.SIGHUP, Libc.SIGINT, Libc.SIGUSR1}) {
                n.say("$ kill -" + SignalName.describe(signal).split(" ")[0].substring(3) + " " + pid);
                Libc.kill(pid, signal);
                n.say("  child: " + out.await(l -> l.startsWith("event")));
            }
            n.say("Each handler only wrote one byte into a pipe; the loop, waiting in poll(2), read it and acted.");
            n.shell("sh", "-c", "ls -l /proc/" + pid + "/fd | grep pipe");
            Libc.kill(pid, Libc.SIGTERM);
            n.say("SIGTERM → child: " + out.await("bye"::equals) + ", " + ExitStatus.fromExitValue(child.waitFor(DEADLINE)).describe());
        }
    }

    private static void coalescing(Narrator n) throws Exception {
        n.step("Standard signals coalesce");
        int burst = 1_000;
        try (ChildProcess child = ChildJvm.main(SignalLoop.class).args("USR1", "TERM").start()) {
            Lines out = new Lines(child);
            out.await(l -> l.startsWith("ready"));
            for (int i = 0; i < burst; i++) {
                Libc.kill(child.pid(), Libc.SIGUSR1);
            }
            out.await("event SIGUSR1"::equals);
            Libc.kill(child.pid(), Libc.SIGTERM);
            out.await("bye"::equals);
            child.waitFor(DEADLINE);
            long seen = out.count("event SIGUSR1");
            n.say(burst + " × kill(pid, SIGUSR1) → the loop saw " + seen + " SIGUSR1 event(s).");
            n.say("A pending standard signal is one bit: a second one that arrives while the first is still pending");
            n.say("merges into it. Count what signals mean (\"something happened\"), never how many came.");
        }
    }

    private static void reload(Narrator n) throws Exception {
        n.step("SIGHUP: reload the configuration without a restart");
        try (ScratchFolder dir = ScratchFolder.create("ipclab-lab06-demo-")) {
            Path config = dir.resolve("app.properties");
            Files.writeString(config, "greeting=hello\n");
            try (ChildProcess child = ChildJvm.main(ConfigReloader.class).args(config.toString()).start()) {
                Lines out = new Lines(child);
                n.say("child: " + out.await(l -> l.startsWith("ready")));
                Files.writeString(config, "greeting=bonjour\nworkers=4\n");
                n.say("$ echo 'greeting=bonjour' … > " + config + "; kill -HUP " + child.pid());
                Libc.kill(child.pid(), Libc.SIGHUP);
                n.say("child: " + out.await(l -> l.startsWith("reload")));
                Files.writeString(config, "oops\n");
                n.say("A broken file (no greeting), then SIGHUP again:");
                Libc.kill(child.pid(), Libc.SIGHUP);
                n.say("child: " + out.await(l -> l.startsWith("reload")));
                n.say("Still pid " + child.pid() + ", alive: " + child.process().isAlive());
            }
        }
    }

    private static void gracefulShutdown(Narrator n) throws Exception {
        n.step("SIGTERM: stop taking work, finish what is in flight, exit 0");
        try (ChildProcess child = ChildJvm.main(GracefulWorker.class).args("10000").start()) {
            Lines out = new Lines(child);
            out.await(l -> l.startsWith("ready"));
            OutputStream jobs = child.process().getOutputStream();
            jobs.write("job 1 1500\n".getBytes(StandardCharsets.UTF_8));
            jobs.flush();
            n.say("child: " + out.await("started 1"::equals));
            n.say("$ kill -TERM " + child.pid());
            Libc.kill(child.pid(), Libc.SIGTERM);
            n.say("child: " + out.await(l -> l.startsWith("stopping")));
            jobs.write("job 2 10\n".getBytes(StandardCharsets.UTF_8));
            jobs.flush();
            String line;
            do {
                line = out.await(l -> true);
                n.say("child: " + line);
            } while (!line.startsWith("exit"));
            n.say("→ " + ExitStatus.fromExitValue(child.waitFor(DEADLINE)).describe());
        }
        n.say("A second SIGTERM (or the drain deadline) would force it: exit status " + GracefulWorker.EXIT_FORCED + ".");
    }

    private static void exitStatuses(Narrator n) throws Exception {
        n.step("Exit statuses: 128 + N");
        try (ChildProcess child = ChildJvm.main(SignalLoop.class).args("TERM").start()) {
            new Lines(child).await(l -> l.startsWith("ready"));
            Libc.kill(child.pid(), Libc.SIGKILL);
            int value = child.waitFor(DEADLINE);
            n.say("SIGKILL to a child JVM: Process.exitValue() = " + value + " → " + ExitStatus.fromExitValue(value).describe());
        }
        n.say("A shell encodes it the same way in $?:");
        n.shell("sh", "-c", "sh -c 'kill -9 $$'; echo \"\\$? = $?\"");
        n.shell("sh", "-c", "sh -c 'kill -TERM $$'; echo \"\\$? = $?\"");
        n.shell("sh", "-c", "sh -c 'exit 3'; echo \"\\$? = $?\"");
    }

    /** A child's stdout, line by line, never waiting past the deadline. */
    private static final class Lines {
        private final ChildProcess child;
        private final BufferedReader in;
        private final java.util.List<String> seen = new java.util.ArrayList<>();

        Lines(ChildProcess child) {
            this.child = child;
            this.in = new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
        }

        String await(Predicate<String> wanted) throws Exception {
            while (true) {
                CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                }, r -> Thread.ofPlatform().daemon().start(r));
                String line = next.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new IOException(child + " ended its output early (its errors are on stderr)");
                }
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        long count(String line) {
            return seen.stream().filter(line::equals).count();
        }
    }
}
