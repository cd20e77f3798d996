package ipclab.grader.runner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import javax.crypto.Mac;

/**
 * Reads one runner JVM's event log the way an auditor reads a ledger: every line must carry the
 * signature made with that JVM's key, the sequence numbers must run 0, 1, 2…, and the events must
 * tell a possible story — a test starts, then finishes, one at a time; only tests the parent
 * planned; none twice; nothing after {@code done}. Anything else means the log was written by
 * something other than the runner, and the lab is reported as an integrity failure.
 *
 * <p>One thing is forgiven: a last line cut short without its newline, which is what a JVM that
 * crashed or was killed in the middle of a write leaves behind.
 */
public final class EventAudit {

    /** The most a log may hold; a runner writes a few hundred bytes per test. */
    public static final long MAX_BYTES = 8L << 20;

    /** The log broke the rules: it was not (only) written by the runner. */
    public static final class Violation extends Exception {
        Violation(String message) {
            super(message);
        }
    }

    private EventAudit() {
    }

    /**
     * @param key       the key handed to this runner JVM
     * @param planned   the ids of tests the parent planned
     * @param finished  ids already given a verdict (by earlier runner JVMs): they must not run again
     */
    public static List<RunnerEvent> read(Path file, byte[] key, Set<String> planned, Predicate<String> finished)
            throws IOException, Violation {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        // The log lies in a folder student code can write: a link would make the grader read (and
        // quote) a file of its choosing, a FIFO would block the grader for ever.
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Violation("the event log was replaced by something that is not a file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new Violation("the event log grew past " + (MAX_BYTES >> 20) + " MiB");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n') + 1; // a line without its newline was cut short by a crash
        Mac mac = EventLog.newMac(key.clone());
        List<RunnerEvent> events = new ArrayList<>();
        Set<String> finishedHere = new java.util.HashSet<>();
        String inFlight = null;
        boolean done = false;
        for (String line : text.substring(0, end).split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            RunnerEvent e = verified(mac, line, events.size());
            if (done) {
                throw new Violation("an event after the runner said it was done: " + line);
            }
            switch (e.event()) {
                case start -> {
                    if (inFlight != null) {
                        throw new Violation("test " + e.id() + " started while " + inFlight + " was still running");
                    }
                    if (!planned.contains(e.id())) {
                        throw new Violation("a test the grader did not plan started: " + e.id());
                    }
                    if (finished.test(e.id()) || finishedHere.contains(e.id())) {
                        throw new Violation("test " + e.id() + " started a second time");
                    }
                    inFlight = e.id();
                }
                case finish -> {
                    if (!e.id().equals(inFlight)) {
                        throw new Violation("test " + e.id() + " finished without having started");
                    }
                    if (!Set.of("passed", "failed", "skipped").contains(e.status())) {
                        throw new Violation("test " + e.id() + " finished with an unknown status " + e.status());
                    }
                    finishedHere.add(e.id());
                    inFlight = null;
                }
                case container_failed -> {
                    if (e.id() == null || planned.stream().noneMatch(id -> id.startsWith(e.id()))) {
                        throw new Violation("a container the grader did not plan failed: " + e.id());
                    }
                }
                case done -> {
                    if (inFlight != null) {
                        throw new Violation("the runner said it was done while " + inFlight + " was running");
                    }
                    done = true;
                }
            }
            events.add(e);
        }
        return events;
    }

    private static RunnerEvent verified(Mac mac, String line, long expectedSeq) throws Violation {
        int space = line.indexOf(' ');
        if (space < 0) {
            throw new Violation("an event line without a signature: " + shorten(line));
        }
        String json = line.substring(space + 1);
        byte[] claimed;
        try {
            claimed = HexFormat.of().parseHex(line.substring(0, space));
        } catch (IllegalArgumentException e) {
            throw new Violation("an event line without a signature: " + shorten(line));
        }
        byte[] actual = mac.doFinal(json.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(claimed, actual)) {
            throw new Violation("an event line the runner did not write (its signature is wrong): " + shorten(json));
        }
        RunnerEvent e;
        try {
            e = EventLog.parse(json);
        } catch (IOException ex) {
            throw new Violation("a signed event line that is not an event: " + shorten(json));
        }
        if (e.seq() != expectedSeq || e.event() == null) {
            throw new Violation("event " + e.seq() + " where event " + expectedSeq + " was due: lines were repeated or reordered");
        }
        return e;
    }

    private static String shorten(String s) {
        return s.length() <= 160 ? s : s.substring(0, 159) + "…";
    }
}
