package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * {@code ./ipclab demo process-manager}: the daemon from a fresh home, seen by {@code ps} and
 * {@code /proc}; a stranger refused whatever the socket file's mode; a crash loop backing off until
 * errored; a stubborn app and its re-parented grandchild stopped as one group; log lines through
 * rotation, none lost; {@code save}, {@code kill}, {@code resurrect} and the systemd unit.
 * It drives the daemon with the lab's own client ({@link Launcher}, {@link ControlClient}), in a
 * temporary home that is removed at the end, with every process it started. Given code.
 */
public final class Demo {

    /** How long the demo waits for one event before it gives up. */
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The uid of the daemon that refuses us: nobody's, on most machines. */
    private static final int STRANGER_UID = 12345;
    /** Lines the chatty app writes, and the size at which its log is rotated. */
    private static final int CHAT_LINES = 100_000;
    private static final long CHAT_LOG_BYTES = 64 * 1024;
    /** Enough rotated files to keep every line: about 36 bytes a line, 64 KiB a file. */
    private static final int CHAT_LOG_KEEP = 200;

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        try (ScratchHome scratch = ScratchHome.create("ipclab-pm-demo-")) {
            Home home = scratch.home();
            long daemon = fresh(n, home, scratch);
            stranger(n, scratch);
            crashLoop(n, scratch);
            stubborn(n, scratch);
            logs(n, scratch);
            persist(n, scratch, daemon);
            n.step("Done");
            n.say("The daemon stops every app before it exits; the demo's home is removed.");
        }
    }

    /** (1) The first request starts the daemon: detached, in a session of its own, with a private home. */
    private static long fresh(Narrator n, Home home, ScratchHome scratch) throws Exception {
        n.step("pm ping from a fresh home: the first request starts the daemon");
        long daemon;
        try (ControlClient client = scratch.client()) {
            JsonNode pong = client.call("ping");
            daemon = pong.path("pid").asLong();
            n.say("daemon " + daemon + " answers from " + pong.path("home").asText() + ", up " + pong.path("uptimeMs").asLong() + " ms");
        }
        n.say("this JVM and the daemon: the daemon leads a session of its own (sid = its pid) with no terminal (tty ?)");
        n.shell("ps", "-o", "pid,ppid,pgid,sid,tty,stat,comm", "-p", ProcessHandle.current().pid() + "," + daemon);
        n.say("its descriptors (the JVM's open jars left out): 0 is /dev/null, 1 and 2 daemon.log; then pm.pid, whose lock");
        n.say("says a daemon is alive, the loop's epoll instance and eventfd, and the listening control socket");
        n.shell("sh", "-c", "ls -l /proc/" + daemon + "/fd | grep -v '\\.jar$'");
        n.say("the home is ours alone: the folder 0700, the socket and the files 0600");
        n.shell("ls", "-la", home.dir().toString());
        return daemon;
    }

    /** (2) The daemon asks the kernel who connected (SO_PEERCRED): a file mode cannot let a stranger in. */
    private static void stranger(Narrator n, ScratchHome scratch) throws Exception {
        n.step("A daemon owned by uid " + STRANGER_UID + " refuses us");
        Home other = scratch.sibling("stranger");
        Process daemon = scratch.startForeground(ScratchHome.java(DaemonMain.class,
                "--home", other.dir().toString(), "--foreground", "--owner-uid", Integer.toString(STRANGER_UID)));
        BufferedReader said = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = said.readLine()) != null && !line.contains("serving")) {
            n.say("(daemon) " + line);
        }
        if (line == null) {
            throw new IOException("the daemon for uid " + STRANGER_UID + " exited before it listened (exit " + daemon.waitFor() + ")");
        }
        n.say("(daemon) " + line);
        n.say("we connect as uid " + ProcessHandle.current().info().user().orElse("?") + ": " + refusal(other.socket()));
        Files.setPosixFilePermissions(other.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        n.shell("ls", "-l", other.socket().toString());
        n.say("after chmod 666: " + refusal(other.socket()));
        n.say("the file's mode only decides who may connect(2); the daemon checks SO_PEERCRED, which the kernel fills in.");
    }

    /** What a daemon answers our {@code ping}: its refusal, read even when it closed the connection first. */
    private static String refusal(Path socket) throws IOException {
        try (ControlClient client = ControlClient.connect(socket)) {
            try {
                client.call("ping");
                return "accepted (not what this step expects)";
            } catch (Refusal refused) {
                return "refused: " + refused.getMessage();
            } catch (IOException closed) {
                // Our request met a closed connection (EPIPE); its refusal waits in our receive queue.
                JsonNode reply = client.receive(WAIT);
                return reply == null ? "the connection was closed without a word" : "refused: " + reply.path("error").asText();
            }
        }
    }

    /** (3) An app that fails at once is restarted later and later, then given up on. */
    private static void crashLoop(Narrator n, ScratchHome scratch) throws Exception {
        n.step("A crash loop: sh -c 'exit 3', restarted with back-off, then errored");
        try (ControlClient events = scratch.subscribe(); ControlClient client = scratch.client()) {
            ObjectNode spec = fork("crash", "sh", "-c", "exit 3");
            spec.put("maxRestarts", 5);
            client.call("start", spec);
            long exitedAt = 0;
            while (true) {
                JsonNode event = ScratchHome.nextEvent(events, WAIT);
                if (!event.path("app").asText().equals("crash")) {
                    continue;
                }
                String type = event.path("type").asText();
                switch (type) {
                    case "exit" -> {
                        exitedAt = event.path("t").asLong();
                        n.say("exit    pid " + event.path("pid").asLong() + " code " + event.path("code").asInt() + " after "
                                + event.path("uptimeMs").asLong() + " ms (unstable: " + event.path("unstable").asBoolean() + ")");
                    }
                    case "launch" -> n.say("launch  pid " + event.path("pid").asLong() + ", attempt " + event.path("attempt").asInt()
                            + (event.path("delayMs").asLong() == 0 ? "" : ", after a delay of " + event.path("delayMs").asLong()
                            + " ms (" + (event.path("t").asLong() - exitedAt) + " ms after the exit)"));
                    case "errored" -> n.say("errored: " + event.path("reason").asText());
                    default -> {
                    }
                }
                if (type.equals("errored")) {
                    break;
                }
            }
            PmApps.print(client.call("list"));
            client.call("delete", PmApps.named("crash"));
        }
        n.say("pm2 counts the same way (max_restarts, min_uptime); its back-off needs --exp-backoff-restart-delay.");
    }

    /** (4) A stop that the app ignores: after kill_timeout, SIGKILL to the whole process group. */
    private static void stubborn(Narrator n, ScratchHome scratch) throws Exception {
        n.step("A stubborn app: it ignores SIGINT and leaves a re-parented grandchild");
        try (ControlClient events = scratch.subscribe(); ControlClient client = scratch.client()) {
            // pm2's probe 7: the subshell starts sleep 3001 and exits, so its parent is gone; the shell
            // ignores SIGINT and SIGTERM, and sleep 3000 inherits that through exec.
            client.call("start", fork("stubborn", "sh", "-c", "trap '' INT TERM; (sleep 3001 &); echo ready; exec sleep 3000"));
            long pid = 0;
            while (true) {
                JsonNode event = ScratchHome.nextEvent(events, WAIT);
                if (event.path("type").asText().equals("launch")) {
                    pid = event.path("pid").asLong();
                }
                if (event.path("type").asText().equals("log") && event.path("text").asText().endsWith("ready")) {
                    break;
                }
            }
            n.say("its process group " + pid + ": the app, and the grandchild whose parent has exited");
            showGroup(n, pid);
            n.say("pm stop stubborn: SIGINT to the group, ignored; kill_timeout (1600 ms); SIGKILL to the group");
            long started = System.nanoTime();
            client.call("stop", PmApps.named("stubborn"));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            while (true) {
                JsonNode event = ScratchHome.nextEvent(events, WAIT);
                String type = event.path("type").asText();
                if (type.equals("exit")) {
                    n.say("exit    pid " + event.path("pid").asLong() + ", signal " + event.path("signal").asText());
                }
                if (type.equals("stopped")) {
                    break;
                }
            }
            n.say("stopped after " + tookMs + " ms; nothing runs in the group any more:");
            showGroup(n, pid);
            n.say("(a Z line is dead: killed, and waiting for its new parent to reap it; init, or a subreaper)");
            n.say("pm2 signals the app's pid alone: its sleep 3001 keeps running (probe 7 in the handout).");
        }
    }

    /** {@code ps} of the processes in group {@code pgid}: {@code ps -g} would select by session instead. */
    private static void showGroup(Narrator n, long pgid) {
        n.shell("sh", "-c", "ps -eo pid,ppid,pgid,stat,cmd | awk 'NR == 1 || $3 == " + pgid + "'");
    }

    /** (5) The log files rotate between two lines: whatever the app writes is in one of them. */
    private static void logs(Narrator n, ScratchHome scratch) throws Exception {
        n.step("Log rotation: " + String.format("%,d", CHAT_LINES) + " lines into files of at most " + CHAT_LOG_BYTES / 1024 + " KiB");
        Home home = scratch.home();
        try (ControlClient client = scratch.client()) {
            ObjectNode spec = fork("chat", "sh", "-c", "seq -f 'chat line %.0f' " + CHAT_LINES + "; exec sleep 3000");
            ObjectNode log = spec.putObject("log");
            log.put("maxBytes", CHAT_LOG_BYTES);
            log.put("keep", CHAT_LOG_KEEP);
            client.call("start", spec);
            // No event stream here: 100,000 log events would overflow a subscriber's outbox. The last
            // line in the current file says the daemon has written them all (it alone writes, in order).
            awaitLastLine(home.logFile("chat", "out"), "chat line " + CHAT_LINES);
            n.shell("sh", "-c", "ls -l " + home.logs() + " | head -4; echo '     …'; ls -l " + home.logs() + " | tail -2");
            n.shell("sh", "-c", "ls " + home.logs() + " | grep -c '^chat-out' | sed 's/$/ files/'");
            n.say("every line is in one file or another:");
            n.shell("sh", "-c", "cat " + home.logs() + "/chat-out.log* | wc -l");
            n.shell("tail", "-n", "2", home.logFile("chat", "out").toString());
            client.call("delete", PmApps.named("chat"));
        }
        n.say("pm2-logrotate copies and truncates the file while the app writes: the lines in between are lost.");
    }

    /**
     * Waits until {@code file}'s last line ends with {@code text}. Polled: nothing tells a reader when
     * another process has appended to a file (inotify could, at the price of a watch to manage).
     */
    private static void awaitLastLine(Path file, String text) throws IOException, InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<String> last = Files.exists(file) ? Tail.lastLines(file, 1) : List.of();
            if (!last.isEmpty() && last.getFirst().endsWith(text)) {
                return;
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException(file + " did not end with '" + text + "' within " + WAIT.toSeconds() + " s; it ends with " + last);
            }
            Thread.sleep(50);
        }
    }

    /** (6) dump.json keeps the apps across a daemon's death; systemd can bring it back at boot. */
    private static void persist(Narrator n, ScratchHome scratch, long daemon) throws Exception {
        n.step("save, kill, resurrect; and startup's systemd unit (printed, never installed)");
        Home home = scratch.home();
        long before;
        try (ControlClient client = scratch.client()) {
            before = client.call("start", fork("web", "sleep", "3600")).get(0).path("pid").asLong();
            JsonNode saved = client.call("save");
            n.say("pm save: " + saved.path("apps").asInt() + " apps in " + saved.path("file").asText());
            n.shell("ls", "-l", home.dump().toString());
            n.shell("cat", home.dump().toString());
            JsonNode killed = client.call("kill");
            n.say("pm kill: daemon " + killed.path("pid").asLong() + " stops every app, then exits; "
                    + (client.awaitEnd(ControlClient.DEADLINE) ? "its connection has ended" : "it is still there!"));
        }
        ScratchHome.reap(daemon);
        n.say("neither the daemon nor web (pid " + before + ") is left:");
        n.shell("ps", "-o", "pid,stat,cmd", "-p", daemon + "," + before);
        try (ControlClient client = scratch.client()) {
            n.say("pm resurrect: a new daemon " + client.call("ping").path("pid").asLong() + " reads dump.json; stubborn stays stopped");
            PmApps.print(client.call("resurrect"));
        }
        String classPath = System.getProperty("java.class.path");
        String unit = UnitFile.render(home, ScratchHome.java(Pm.class), null);
        n.say("pm startup prints this unit (the class path shortened here); --install writes it, systemctl is yours to run:");
        unit.replace(classPath, "…").lines().forEach(l -> n.say("  " + l));
    }

    /** The {@code start} arguments of a fork-mode app running {@code command}. */
    private static ObjectNode fork(String name, String... command) {
        ObjectNode spec = PmApps.named(name);
        spec.put("mode", "fork");
        spec.set("command", Json.MAPPER.valueToTree(List.of(command)));
        return spec;
    }
}
