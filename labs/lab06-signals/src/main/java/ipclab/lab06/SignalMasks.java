package ipclab.lab06;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the kernel keeps about signals for one process, as {@code /proc/PID/status} shows it:
 * <pre>
 * SigPnd: 0000000000000000     pending for this thread
 * ShdPnd: 0000000000000000     pending for the whole process
 * SigBlk: 0000000000000000     blocked (the signal mask)
 * SigIgn: 0000000000001000     ignored (disposition SIG_IGN)
 * SigCgt: 0000000180004a02     caught (a handler is installed)
 * </pre>
 * Each line is a 64-bit mask in hexadecimal: bit N-1 stands for signal N.
 *
 * @param pending signals pending for the process as a whole ({@code ShdPnd})
 * @param blocked signals the main thread blocks ({@code SigBlk})
 * @param ignored signals whose disposition is "ignore" ({@code SigIgn})
 * @param caught  signals with a handler installed ({@code SigCgt})
 */
public record SignalMasks(Set<Integer> pending, Set<Integer> blocked, Set<Integer> ignored, Set<Integer> caught) {

    public SignalMasks {
        pending = Collections.unmodifiableSet(new TreeSet<>(pending));
        blocked = Collections.unmodifiableSet(new TreeSet<>(blocked));
        ignored = Collections.unmodifiableSet(new TreeSet<>(ignored));
        caught = Collections.unmodifiableSet(new TreeSet<>(caught));
    }

    /** Reads the masks of process {@code pid} from {@code /proc/PID/status}. */
    public static SignalMasks of(long pid) throws IOException {
        throw new UnsupportedOperationException("TODO: read /proc/PID/status (Files.readAllLines) and parse it");
    }

    /** The masks in the lines of a {@code /proc/PID/status} file. */
    public static SignalMasks parse(List<String> statusLines) {
        return new SignalMasks(field(statusLines, "ShdPnd"), field(statusLines, "SigBlk"),
                field(statusLines, "SigIgn"), field(statusLines, "SigCgt"));
    }

    /**
     * The signal numbers in a mask as {@code /proc} prints it: bit N-1 set means signal N is in the set.
     * {@code "0000000000004a02"} is {2, 10, 12, 15}.
     */
    public static Set<Integer> decode(String hexMask) {
        throw new UnsupportedOperationException("TODO: parse the hex mask as an unsigned 64-bit number (Long.parseUnsignedLong); bit N-1 set means signal N");
    }

    /** The set as people say it, e.g. {@code SIGINT (2), SIGUSR1 (10), signal 34}. */
    public static String describe(Set<Integer> signals) {
        return signals.isEmpty() ? "(none)"
                : signals.stream().map(SignalName::describe).collect(Collectors.joining(", "));
    }

    private static Set<Integer> field(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name + ":")) {
                return decode(line.substring(name.length() + 1));
            }
        }
        throw new IllegalArgumentException("no " + name + " line: is this a /proc/PID/status file?");
    }
}
