package ipclab.lab11;

/**
 * How a process ended, as {@code waitpid(2)} tells it: an exit code, or the signal that killed it;
 * the other one is {@code null}. Node's {@code exit} event has the same pair.
 *
 * @param code   the exit code (0–255), or {@code null} when a signal ended the process
 * @param signal the signal's name ({@code "SIGKILL"}), or {@code null} when it exited
 */
public record ExitInfo(Integer code, String signal) {

    public ExitInfo {
        if ((code == null) == (signal == null)) {
            throw new IllegalArgumentException("a process ends by an exit code or by a signal, exactly one of them: code "
                    + code + ", signal " + signal);
        }
    }

    /** The process called {@code exit(code)}. */
    public static ExitInfo exited(int code) {
        return new ExitInfo(code, null);
    }

    /** A signal killed the process. */
    public static ExitInfo killedBy(String signal) {
        return new ExitInfo(null, signal);
    }

    /** {@code "exit code 3"} or {@code "killed by SIGSEGV"}: the words {@code describe} and an errored reason use. */
    @Override
    public String toString() {
        return code != null ? "exit code " + code : "killed by " + signal;
    }
}
