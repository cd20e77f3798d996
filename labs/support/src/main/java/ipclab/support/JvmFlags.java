package ipclab.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags every ipc-lab JVM runs with. They are written once, as {@code ipclab.jvm.flags}
 * in the parent pom; the build copies them into the resource {@code ipclab/jvm.flags}, which
 * this class and the {@code ipclab} launcher read.
 */
public final class JvmFlags {

    private static final List<String> FLAGS = load();

    private JvmFlags() {
    }

    /** The flags, one list element each, e.g. {@code --enable-native-access=ALL-UNNAMED}. */
    public static List<String> all() {
        return FLAGS;
    }

    private static List<String> load() {
        try (InputStream in = JvmFlags.class.getResourceAsStream("/ipclab/jvm.flags")) {
            if (in == null) {
                throw new IllegalStateException("the resource ipclab/jvm.flags is missing: build the support module with Maven");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (text.contains("${")) {
                throw new IllegalStateException("ipclab/jvm.flags was not filtered by Maven: " + text);
            }
            return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
