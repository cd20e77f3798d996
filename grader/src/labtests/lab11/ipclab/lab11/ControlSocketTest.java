package ipclab.lab11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import ipclab.grader.api.Graded;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.Await;
import ipclab.testkit.FdTargets;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each test starts a few JVMs (pm, the daemon), which on a loaded two-core machine take seconds each. */
@Timeout(120)
class ControlSocketTest {

    private static final String STEP = "Step 3: One daemon, one door";
    private static final Duration DEADLINE = Duration.ofSeconds(40);

    @Test
    @Graded(points = 2, handout = STEP)
    @DisplayName("the home is 0700, rpc.sock and pm.pid are 0600")
    void modes() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            ChildProcess daemon = startInForeground(pm, Libc.geteuid());
            try (PmWire wire = connect(pm, daemon)) {
                // A connection can come between listen(2) and the chmod; an answer comes from the loop, after both.
                wire.ok("ping", "{}");
                assertThat(mode(pm.home())).as("the home's mode").isEqualTo("rwx------");
                assertThat(mode(pm.socket())).as("rpc.sock's mode: bind(2) gives 0777 & ~umask; set it to 0600").isEqualTo("rw-------");
                assertThat(mode(pm.pidFile())).as("pm.pid's mode").isEqualTo("rw-------");
            }
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a daemon owned by another uid refuses us by SO_PEERCRED, names our uid and pid and its owner's uid, and closes, even after "
            + "chmod 0666 rpc.sock; a daemon we own answers")
    void strangerRefused() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            int us = Libc.geteuid();
            int owner = us + 4242;
            ChildProcess daemon = startInForeground(pm, owner);
            try (PmWire first = connect(pm, daemon)) {
                assertRefused(first, us, owner, "the first connection");
            }
            Files.setPosixFilePermissions(pm.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            try (PmWire second = PmWire.connect(pm.socket())) {
                assertRefused(second, us, owner, "after chmod 0666 rpc.sock (the file's mode is one wall; SO_PEERCRED is the other)");
            }
            assertThat(daemon.process().isAlive()).as("the daemon is still running after refusing us; it said: %s", read(log(pm))).isTrue();
            assertThat(Files.readString(pm.pidFile()).strip()).as("pm.pid still names the same daemon").isEqualTo(Long.toString(daemon.pid()));
        }
        // The same connection from the owner is served: a daemon that refuses everyone earns nothing here.
        try (PmSandbox pm = PmSandbox.open()) {
            ChildProcess daemon = startInForeground(pm, Libc.geteuid());
            try (PmWire ours = connect(pm, daemon)) {
                assertThat(ours.call("ping").path("ok").asBoolean(false)).as("ping to a daemon whose --owner-uid is ours").isTrue();
            }
        }
    }

    @Test
    @Graded(points = 5, handout = STEP)
    @DisplayName("a second daemon on the same home exits 1 naming the first one's pid, and touches neither pm.pid nor rpc.sock")
    void secondDaemonRefused() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            ChildProcess daemon = startInForeground(pm, Libc.geteuid());
            try (PmWire wire = connect(pm, daemon)) {
                long first = daemon.pid();
                String pidFile = Files.readString(pm.pidFile());
                Object socketInode = Files.getAttribute(pm.socket(), "unix:ino");

                ChildJvm.Result second = pm.cli("daemon", "--foreground");
                assertThat(second.exitCode()).as("pm daemon --foreground while daemon %d runs: the lock on pm.pid is taken, so it exits 1%s",
                        first, PmSandbox.describe(second)).isEqualTo(1);
                assertThat(second.stdout() + second.stderr()).as("what the second daemon said names the first one's pid")
                        .contains(Long.toString(first));
                assertThat(Files.readString(pm.pidFile())).as("pm.pid after the second daemon gave up: the loser must not truncate or write it")
                        .isEqualTo(pidFile);
                assertThat(Files.getAttribute(pm.socket(), "unix:ino")).as("rpc.sock's inode: the loser must not remove or replace it")
                        .isEqualTo(socketInode);
                assertThat(wire.ping().path("pid").asLong()).as("the first daemon still answers, on a connection made before the second came")
                        .isEqualTo(first);
            }
        }
    }

    @Test
    @Graded(points = 7, handout = STEP)
    @DisplayName("bad requests get named errors on the same connection; 200 dropped connections and a client that never reads cost nothing")
    void badRequestsAnswered() throws Exception {
        try (PmSandbox pm = PmSandbox.open()) {
            ChildProcess foreground = startInForeground(pm, Libc.geteuid());
            long daemon = foreground.pid();
            int descriptorsBefore;
            try (PmWire wire = connect(pm, foreground)) {
                descriptorsBefore = FdTargets.of(daemon).size() - 1; // less this connection
                expectError(wire, "hello", "request is not JSON", pm);
                expectError(wire, "[]", "not a JSON object", pm);
                expectError(wire, "{\"id\":1,\"verb\":42}", "'verb' must be a string", pm);
                expectError(wire, "{\"id\":2}", "no 'verb'", pm);
                JsonNode unknown = expectError(wire, "{\"id\":3,\"verb\":\"explode\"}", "unknown verb 'explode'", pm);
                assertThat(unknown.path("error").asText()).as("the unknown verb's error lists the verbs there are").contains("ping", "kill");
                assertThat(unknown.path("id").asLong()).as("an error about a request with an id carries that id").isEqualTo(3);
                expectError(wire, "{\"id\":4,\"verb\":\"ping\",\"args\":[1]}", "'args' must be an object", pm);
                expectError(wire, "[".repeat(100) + "]".repeat(100), "deeper than 32", pm);
                byte[] huge = new byte[100_000];
                Arrays.fill(huge, (byte) 'x');
                wire.sendRaw(huge);
                JsonNode tooLong = wire.receiveJson();
                assertThat(tooLong.path("error").asText()).as("the reply to a 100,000-byte datagram (the kernel cut it: MSG_TRUNC)")
                        .contains("request longer than 65536");
                assertThat(wire.ping().path("pid").asLong()).as("ping on the same connection after the bad requests").isEqualTo(daemon);
            }

            List<PmWire> crowd = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    crowd.add(PmWire.connect(pm.socket()));
                }
            } finally {
                crowd.forEach(PmWire::close);
            }

            try (PmWire deaf = PmWire.connect(pm.socket())) {
                boolean closed = Await.within(DEADLINE, "sending ping after ping without reading blocked for good: the daemon stopped "
                        + "reading this client without closing it", () -> floodUntilClosed(deaf));
                assertThat(closed).as("a client that sends ping after ping and never reads a reply is closed once its unread "
                        + "replies pass the outbox's cap (1 MiB)").isTrue();
            }

            try (PmWire wire = PmWire.connect(pm.socket())) {
                assertThat(wire.ping().path("pid").asLong()).as("the same daemon answers ping after all that").isEqualTo(daemon);
            }
            Await.until(DEADLINE, () -> FdTargets.of(daemon).size() <= descriptorsBefore + 2,
                    "the daemon's descriptors should come back to about " + descriptorsBefore + " once the clients are gone; it holds "
                            + FdTargets.of(daemon).size() + ": does it close every connection (refused, busy, ended, over the cap)?");
        }
    }

    /** Sends pings without reading, until the daemon closes the connection (EPIPE, ECONNRESET) or 200,000 were sent. */
    private static boolean floodUntilClosed(PmWire deaf) throws IOException {
        for (int i = 0; i < 200_000; i++) {
            try {
                deaf.send("{\"id\":" + i + ",\"verb\":\"ping\"}");
            } catch (ErrnoException e) {
                return true; // the daemon closed it: our send meets a closed socket
            }
        }
        return false;
    }

    private static JsonNode expectError(PmWire wire, String request, String expected, PmSandbox pm) throws IOException {
        wire.send(request);
        JsonNode reply;
        try {
            reply = wire.receiveJson();
        } catch (IOException e) {
            return fail("request " + PmWire.abbreviate(request) + ": " + e.getMessage() + " (the daemon must answer a bad request with an error "
                    + "and keep the connection)" + pm.daemonLogTail());
        }
        assertThat(reply.path("ok").asBoolean(true)).as("reply to %s: %s", PmWire.abbreviate(request), reply).isFalse();
        assertThat(reply.path("error").asText()).as("the error for %s", PmWire.abbreviate(request)).contains(expected);
        return reply;
    }

    private static void assertRefused(PmWire wire, int us, int owner, String when) throws IOException {
        wire.send("{\"id\":1,\"verb\":\"ping\"}");
        PmWire.Datagram answer = wire.receive();
        assertThat(answer.endOfStream()).as("%s: the daemon should send an error before closing", when).isFalse();
        // Our pid as SO_PEERCRED gives it: a check of the daemon's own geteuid() could not know it.
        assertThat(answer.text()).as("%s: the refusal names our uid and pid (SO_PEERCRED's) and the owner's uid", when)
                .contains("\"ok\":false").contains("uid " + us + " (pid " + ProcessHandle.current().pid() + ")").contains("owner uid " + owner);
        assertThat(wire.awaitEndOfStream(PmWire.DEADLINE)).as("%s: then the daemon closes the connection", when).isTrue();
    }

    /**
     * {@code pm daemon --foreground} as a child of this test, with its output in a file: the daemon
     * without step 4's launcher, so that this step's tests need only the lock and the socket.
     */
    private static ChildProcess startInForeground(PmSandbox pm, int ownerUid) throws IOException {
        Path log = log(pm);
        return pm.start(pm.pm("daemon", "--foreground", "--owner-uid", Integer.toString(ownerUid))
                .redirectOutput(Redirect.to(log.toFile())).redirectError(Redirect.appendTo(log.toFile())));
    }

    /** The first connection to a daemon started by {@link #startInForeground}, once it listens. */
    private static PmWire connect(PmSandbox pm, ChildProcess daemon) throws Exception {
        return Await.polling(DEADLINE, () -> connectOrNull(pm.socket(), daemon, log(pm)),
                "pm daemon --foreground never listened on " + pm.socket() + "; it said: " + read(log(pm)));
    }

    private static Path log(PmSandbox pm) {
        return pm.root().resolve("foreground.log");
    }

    private static PmWire connectOrNull(Path socket, ChildProcess daemon, Path log) {
        if (!daemon.process().isAlive()) {
            return fail("pm daemon --foreground exited " + daemon.process().exitValue() + " before it listened; it said: " + read(log));
        }
        try {
            return PmWire.connect(socket);
        } catch (ErrnoException e) {
            return null;
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? PmWire.abbreviate(Files.readString(file).strip()) : "(nothing)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
