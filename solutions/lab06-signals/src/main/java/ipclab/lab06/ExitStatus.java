package ipclab.lab06;

/**
 * How a child process ended: it called {@code exit(code)}, or a signal killed it.
 *
 * <p>The kernel reports both through {@code waitpid(2)}'s status word ({@code WIFEXITED} /
 * {@code WEXITSTATUS}, {@code WIFSIGNALED} / {@code WTERMSIG}). The JDK folds them into one int:
 * {@link Process#exitValue()} is the exit code, or {@code 128 + N} when signal N killed the
 * process, the same encoding a shell uses for {@code $?}. So 137 means "killed by SIGKILL (9)",
 * and a process that really called {@code exit(137)} looks exactly the same.
 *
 * @param code   the exit code when the process exited by itself, else -1
 * @param signal the number of the signal that killed it, else 0
 */
public record ExitStatus(int code, int signal) {

    /** A process that exited by itself with this code. */
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    /** A process that signal {@code signal} killed. */
    public static ExitStatus killedBy(int signal) {
        return new ExitStatus(-1, signal);
    }

    public boolean killed() {
        return signal != 0;
    }

    /** Decodes {@link Process#exitValue()} (or a shell's {@code $?}): 0–128 is an exit code, 128+N is death by signal N. */
    public static ExitStatus fromExitValue(int exitValue) {
        if (exitValue < 0 || exitValue > 255) {
            throw new IllegalArgumentException("an exit value is 0 to 255, not " + exitValue);
        }
        // 128 itself is exit(128): there is no signal 0 to die of.
        return exitValue > 128 ? killedBy(exitValue - 128) : exited(exitValue);
    }

    /** {@code exited with status 3} or {@code killed by SIGKILL (9)}. */
    public String describe() {
        return killed() ? "killed by " + SignalName.describe(signal) : "exited with status " + code;
    }
}
