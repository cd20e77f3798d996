package ipclab.grader.runner;

import java.util.concurrent.TimeoutException;

/** Turns what a test threw into a few lines a student can act on. */
final class Failures {

    private static final int MAX_LENGTH = 1500;

    private Failures() {
    }

    static String describe(Throwable t) {
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

    /** The first stack frame in lab code (not the test, not JUnit or AssertJ), e.g. {@code (Pipe.java:42)}. */
    private static String where(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String cls = frame.getClassName();
            if (cls.startsWith("ipclab.lab") && !cls.endsWith("Test") && !cls.contains("Test$")) {
                return "\n    at " + cls.substring(cls.lastIndexOf('.') + 1) + "." + frame.getMethodName()
                        + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
            }
        }
        return "";
    }

    private static String causes(Throwable t) {
        StringBuilder text = new StringBuilder();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            text.append("\n    caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return text.toString();
    }
}
