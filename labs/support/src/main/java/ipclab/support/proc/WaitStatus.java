package ipclab.support.proc;

/**
 * How a child process ended, as waitpid(2) reported it: it exited with a code, or a signal ended
 * it. Exactly one of the two is set, as in Node's {@code 'exit'} event, whose arguments are
 * {@code (exitCode, signalCode)} with the other one {@code null}.
 *
 * @param code   the exit status, 0 to 255 ({@code WEXITSTATUS}), when it called exit(2) or returned
 *               from main; Node's {@code subprocess.exitCode} ({@code lib/internal/child_process.js}
 *               269–274). {@code null} when a signal ended it
 * @param signal the number of the signal that ended it ({@code WTERMSIG}); Node's
 *               {@code subprocess.signalCode}, which names it ({@code 'SIGKILL'}) where this keeps
 *               the number. {@code null} when it exited
 */
public record WaitStatus(Integer code, Integer signal) {

    public WaitStatus {
        if ((code == null) == (signal == null)) {
            throw new IllegalArgumentException("a process ends either with an exit code or by a signal: code " + code + ", signal " + signal);
        }
    }

    /** It exited with {@code code}. */
    public static WaitStatus exited(int code) {
        return new WaitStatus(code, null);
    }

    /** Signal {@code signal} ended it. */
    public static WaitStatus killedBy(int signal) {
        return new WaitStatus(null, signal);
    }

    /**
     * Decodes the {@code int} that waitpid(2) writes, as glibc's macros do: the low 7 bits are the
     * signal that ended the process (0 when it exited), bit 7 says it dumped core, and bits 8–15
     * hold the exit code.
     *
     * @throws IllegalArgumentException for a stopped or continued child, which waitpid reports only
     *                                  when asked with WUNTRACED or WCONTINUED
     */
    public static WaitStatus decode(int raw) {
        int signal = raw & 0x7f;
        if (signal == 0) {
            return exited((raw >> 8) & 0xff); // WIFEXITED, WEXITSTATUS
        }
        if (signal != 0x7f && raw != 0xffff) {
            return killedBy(signal); // WIFSIGNALED, WTERMSIG
        }
        throw new IllegalArgumentException("status 0x" + Integer.toHexString(raw) + " is a stopped or continued process, not an ended one");
    }

    /** {@code "exit code 3"} or {@code "signal 9"}: for messages. */
    public String describe() {
        return code != null ? "exit code " + code : "signal " + signal;
    }
}
