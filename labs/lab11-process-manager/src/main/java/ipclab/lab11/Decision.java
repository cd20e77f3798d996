package ipclab.lab11;

/**
 * What to do after an app exited on its own: {@link RestartPolicy#afterExit} answers one of two.
 * (An app that exits because it was asked to stop is not restarted, and the policy is not asked.)
 */
public sealed interface Decision {

    /**
     * Start it again after {@code delayMs}; from then on, remember {@code next}.
     *
     * @param delayMs how long to wait before the new start (pm2's {@code restart_delay})
     * @param next    the history to keep for the next exit
     */
    record Restart(long delayMs, History next) implements Decision {
    }

    /**
     * Give up: the app stays {@link Status#ERRORED} until someone restarts it.
     *
     * @param reason a sentence for {@code pm list} and {@code describe}: how many exits, how short, the last one
     */
    record Errored(String reason) implements Decision {
    }
}
