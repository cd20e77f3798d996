package ipclab.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Facts of the build that code needs at run time: the Java release the course is written for and
 * the JVM flags every ipc-lab JVM runs with. Both are written once, as properties of the parent pom;
 * the build copies them into the resource {@code ipclab/build.properties}, which this class and the
 * {@code ipclab} launcher read. A child JVM started with {@link #jvmFlags()} therefore runs with
 * exactly the flags of its parent, and the grader compiles labs for the release Maven compiles for.
 */
public final class BuildFacts {

    private static final Properties FACTS = load();
    private static final List<String> JVM_FLAGS =
            Arrays.stream(fact("jvm.flags").split("\\s+")).filter(s -> !s.isEmpty()).toList();

    private BuildFacts() {
    }

    /** The flags, one list element each, e.g. {@code --enable-native-access=ALL-UNNAMED}. */
    public static List<String> jvmFlags() {
        return JVM_FLAGS;
    }

    /** The Java release the labs are compiled for, e.g. {@code "25"} (javac's {@code --release}). */
    public static String javaRelease() {
        return fact("java.release");
    }

    private static String fact(String name) {
        String value = FACTS.getProperty(name, "").strip();
        if (value.isEmpty() || value.contains("${")) {
            throw new IllegalStateException("ipclab/build.properties has no filtered value for " + name
                    + " (found '" + value + "'): build the support module with Maven");
        }
        return value;
    }

    private static Properties load() {
        try (InputStream in = BuildFacts.class.getResourceAsStream("/ipclab/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("the resource ipclab/build.properties is missing: build the support module with Maven");
            }
            Properties facts = new Properties();
            facts.load(in);
            return facts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
