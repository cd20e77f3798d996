package ipclab.grader.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes runner events as JSON lines, each one flushed to the kernel before the test goes on,
 * and each one signed.
 *
 * <p>The event file is the only thing the parent grader learns a test's verdict from, and student
 * code runs in the same JVM and as the same user, so it can find the file (the path is in the
 * JVM's arguments) and append lines of its own. Each line therefore starts with an HMAC-SHA256 of
 * its text under a key the parent handed this JVM on its stdin before any test ran, and carries a
 * sequence number; the parent ({@link EventAudit}) rejects a line without the right signature, out
 * of order or repeated. The key is zeroed once the {@link Mac} holds it. That stops code that
 * appends lines to the file; code that digs the key material out of this JVM's memory (with
 * sun.misc.Unsafe, FFM or /proc/self/mem) can still sign, which the instructor guide's threat
 * model says.
 */
public final class EventLog implements AutoCloseable {

    static final String ALGORITHM = "HmacSHA256";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream out;
    private final Mac mac;
    private long sequence;

    EventLog(Path file, byte[] key) throws IOException {
        this.out = new FileOutputStream(file.toFile(), true);
        this.mac = newMac(key);
        java.util.Arrays.fill(key, (byte) 0);
    }

    synchronized void write(RunnerEvent event) {
        try {
            String json = JSON.writeValueAsString(event.withSeq(sequence++));
            String line = sign(mac, json) + " " + json + "\n";
            out.write(line.getBytes(StandardCharsets.UTF_8)); // FileOutputStream has no buffer: one write(2)
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the event log", e);
        }
    }

    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + ALGORITHM + " in this JDK", e);
        }
    }

    static String sign(Mac mac, String text) {
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Parses one event's JSON (the part after the signature). */
    static RunnerEvent parse(String json) throws IOException {
        return JSON.readValue(json, RunnerEvent.class);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
