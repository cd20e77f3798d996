package ipclab.grader.runner;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Turns what a test threw into a few lines a student can act on. */
final class Failures {

    private static final int MAX_LENGTH = 1500;

    private final List<Path> labClasses;
    private final Map<String, Boolean> labCode = new HashMap<>();

    /** @param labClasses the folders the lab's own classes were loaded from: its own, and those of the labs it builds on */
    Failures(List<Path> labClasses) {
        this.labClasses = labClasses.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    String describe(Throwable t) {
        String text = switch (t) {
            case UnsupportedOperationException u when u.getMessage() != null && u.getMessage().startsWith("TODO") ->
                    "not implemented yet — " + u.getMessage() + where(u);
            case TimeoutException timeout ->
                    timeout.getMessage() + " — the test was stopped at its deadline. Code that waits for ever is usually"
                            + " waiting for an event that cannot come: an EOF while a write end is still open somewhere,"
                            + " a peer that never connects, a pipe that is full because nobody reads it.";
            case AssertionError a -> String.valueOf(a.getMessage()) + where(a);
            default -> t.getClass().getName() + ": " + t.getMessage() + where(t) + causes(t);
        };
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
    }

    /** The first stack frame in the lab's own code, e.g. {@code (Pipe.java:42)}. */
    private String where(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String cls = frame.getClassName();
            if (isLabCode(cls)) {
                return "\n    at " + cls.substring(cls.lastIndexOf('.') + 1) + "." + frame.getMethodName()
                        + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
            }
        }
        return "";
    }

    /**
     * Whether a class came from the lab's folder or an earlier lab's, as opposed to the graded tests,
     * the test kit or a library: told by where it was loaded from, since names prove nothing (a test
     * kit's helper is in the lab's package too).
     */
    private boolean isLabCode(String className) {
        return labCode.computeIfAbsent(className, name -> {
            try {
                Class<?> c = Class.forName(name, false, Failures.class.getClassLoader());
                CodeSource source = c.getProtectionDomain().getCodeSource();
                return source != null && source.getLocation() != null
                        && labClasses.contains(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
            } catch (ClassNotFoundException | LinkageError | URISyntaxException | RuntimeException e) {
                return false;
            }
        });
    }

    private static String causes(Throwable t) {
        StringBuilder text = new StringBuilder();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            text.append("\n    caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return text.toString();
    }
}
