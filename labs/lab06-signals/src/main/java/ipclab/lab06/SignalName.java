package ipclab.lab06;

import java.util.Optional;

/**
 * The standard signals this lab talks about, with their Linux numbers (x86-64 and arm64 share
 * them) and what a HotSpot JVM does with each. The name without "SIG" is what
 * {@code sun.misc.Signal} wants: {@code new Signal("HUP")}.
 */
public enum SignalName {
    HUP(1, "hangup: the terminal went away; daemons take it as \"re-read your configuration\""),
    INT(2, "interrupt: Ctrl-C at the terminal"),
    QUIT(3, "quit: Ctrl-\\; HotSpot prints a thread dump and runs on"),
    ILL(4, "illegal instruction; HotSpot uses it for its own traps"),
    ABRT(6, "abort(3)"),
    BUS(7, "bus error; HotSpot uses it for its own traps"),
    FPE(8, "arithmetic error; HotSpot uses it for its own traps"),
    KILL(9, "kill: cannot be caught, blocked or ignored"),
    USR1(10, "user-defined 1: free for applications, also in a JVM"),
    SEGV(11, "invalid memory reference; HotSpot uses it for its own traps (implicit null checks, safepoints)"),
    USR2(12, "user-defined 2: HotSpot on Linux keeps it to suspend and resume threads"),
    PIPE(13, "write to a pipe or socket with no reader; the JVM ignores it, so write fails with EPIPE"),
    ALRM(14, "alarm clock"),
    TERM(15, "terminate: the polite request to stop (kill's default, systemd's, Kubernetes')"),
    CHLD(17, "a child stopped or exited"),
    CONT(18, "continue after a stop"),
    STOP(19, "stop: cannot be caught, blocked or ignored"),
    TSTP(20, "stop from the terminal: Ctrl-Z");

    private final int number;
    private final String meaning;

    SignalName(int number, String meaning) {
        this.number = number;
        this.meaning = meaning;
    }

    /** The signal number, as kill(2) wants it. */
    public int number() {
        return number;
    }

    /** The conventional C name, e.g. {@code SIGTERM}. */
    public String symbol() {
        return "SIG" + name();
    }

    public String meaning() {
        return meaning;
    }

    /** The named signal with this number, if the lab names it. */
    public static Optional<SignalName> of(int number) {
        for (SignalName s : values()) {
            if (s.number == number) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** {@code SIGTERM (15)} for a named signal, {@code signal 34} for any other. */
    public static String describe(int number) {
        return of(number).map(s -> s.symbol() + " (" + number + ")").orElse("signal " + number);
    }
}
