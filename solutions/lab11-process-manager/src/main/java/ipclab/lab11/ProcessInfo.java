package ipclab.lab11;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of {@code pm list}: an app (in cluster mode, one instance of it) as it stands now. pm2's
 * {@code pm2 jlist} shows the same facts, spread over {@code pm2_env} and {@code monit}.
 *
 * @param name          the app's name
 * @param instance      cluster mode: the worker slot, 0 to instances − 1; fork mode: {@code null}
 * @param mode          fork or cluster
 * @param pid           the running process, or 0 when none runs (stopped, errored, waiting to restart)
 * @param status        where it stands
 * @param restarts      how many times the daemon started it again after an exit ({@code restart_time})
 * @param uptimeMs      how long the current process has run; 0 when none runs
 * @param exitCode      how the last process ended: its exit code, or {@code null}
 * @param exitSignal    … or the signal that ended it, or {@code null}
 * @param reason        why the app is errored, or {@code null}
 * @param port          cluster mode: the port its workers serve; 0 in fork mode
 * @param nextStartInMs while it waits out a restart delay: how long until the next start; else 0
 */
public record ProcessInfo(String name, Integer instance, AppSpec.Mode mode, long pid, Status status, int restarts,
                          long uptimeMs, Integer exitCode, String exitSignal, String reason, int port, long nextStartInMs) {

    /** This line as JSON, for {@code list}'s reply and {@code pm list --json}. */
    public JsonNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }
}
