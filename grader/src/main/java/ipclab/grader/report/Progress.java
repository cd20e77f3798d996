package ipclab.grader.report;

import ipclab.grader.LabResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * What a grading run is doing, while it does it: grading all labs takes minutes, and a silent
 * screen for that long looks like a hang. In a terminal each lab's line is rewritten in place as
 * it goes from "running" to its score; elsewhere (Maven, CI logs) each step is a line of its own.
 */
public final class Progress {

    private final PrintStream out;
    private final boolean live;

    private Progress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** Nothing shown: for the project's own tests, which print the report themselves. */
    public static Progress silent() {
        return new Progress(null, false);
    }

    /** @param live rewrite the current line (a terminal) instead of adding lines (a log) */
    public static Progress to(PrintStream out, boolean live) {
        return new Progress(out, live);
    }

    public void compiling(int labs) {
        line(labs == 1 ? "compiling the lab and its tests…" : "compiling " + labs + " labs and their tests…", true);
    }

    public void labStarted(String slug, int tests) {
        line(String.format(Locale.ROOT, "  %-22s running %d test%s…", slug, tests, tests == 1 ? "" : "s"), !live);
    }

    public void labFinished(LabResult result, Duration took) {
        line(String.format(Locale.ROOT, "  %-22s %9s   %.1f s", result.lab().slug(), result.score() + "/" + result.maxScore(),
                took.toMillis() / 1000.0), true);
    }

    private void line(String text, boolean end) {
        if (out == null) {
            return;
        }
        out.print(live ? "\r\033[K" + text : text);
        if (end) {
            out.println();
        }
        out.flush();
    }
}
