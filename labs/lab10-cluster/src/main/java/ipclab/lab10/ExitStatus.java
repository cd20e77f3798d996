package ipclab.lab10;

/**
 * How a worker ended, the way Node reports it: either an exit code (the process called exit) or the
 * name of the signal that killed it; the other one is {@code null}.
 *
 * <p>Java cannot tell the two apart for sure: {@link Process#exitValue()} reports a death by signal
 * N as 128 + N (like a shell's {@code $?}), so a process that called {@code exit(137)} and one killed
 * by SIGKILL (9) both read 137. We decode every value above 128 that names a signal as that signal.
 *
 * @param code   the exit code, or {@code null} when a signal ended the process
 * @param signal the signal's name (e.g. {@code "SIGKILL"}), or {@code null} when it exited
 */
public record ExitStatus(Integer code, String signal) {

    /** Decodes a JDK exit value: 0..128 is an exit code, 129..(128+64) is "killed by signal value-128". */
    public static ExitStatus of(int javaExitValue) {
        throw new UnsupportedOperationException("TODO: decide from the JDK's exit value whether the worker exited with a code or was killed by a signal (the handout's kernel's view says how the JDK folds the two; signalName names a signal)");
    }

    /** True when the process ended by a signal rather than by exit. */
    public boolean bySignal() {
        return signal != null;
    }

    /** The usual Linux name of a signal number (x86-64 and aarch64 numbering). */
    public static String signalName(int number) {
        return switch (number) {
            case 1 -> "SIGHUP";
            case 2 -> "SIGINT";
            case 3 -> "SIGQUIT";
            case 4 -> "SIGILL";
            case 5 -> "SIGTRAP";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 8 -> "SIGFPE";
            case 9 -> "SIGKILL";
            case 10 -> "SIGUSR1";
            case 11 -> "SIGSEGV";
            case 12 -> "SIGUSR2";
            case 13 -> "SIGPIPE";
            case 14 -> "SIGALRM";
            case 15 -> "SIGTERM";
            default -> number >= 34 ? "SIGRT" + (number - 34) : "SIG" + number;
        };
    }

    /** Node's wording: {@code code: 3, and null} or {@code code: null, and SIGKILL}. */
    @Override
    public String toString() {
        return "code: " + code + ", and " + signal;
    }
}
