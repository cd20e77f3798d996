package ipclab.lab11;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where an app (or one instance of a cluster app) stands, as {@code pm list} shows it. pm2 has the
 * same words in {@code lib/God.js}, plus {@code waiting restart}, which here is {@link #LAUNCHING}
 * with the time of the next start.
 */
public enum Status {
    /** Spawned and not yet online, or waiting out its restart delay. */
    LAUNCHING,
    /** Fork mode: spawned. Cluster mode: its worker reported {@code listening}. */
    ONLINE,
    /** Asked to stop: the kill signal is sent, SIGKILL follows after the kill timeout. */
    STOPPING,
    /** Stopped on request; it stays listed until deleted. */
    STOPPED,
    /**
     * Too many unstable exits in a row: no more restarts until someone restarts it by hand. Final,
     * unlike pm2's, which a pending back-off overwrites with {@code waiting restart} (the handout's step 1).
     */
    ERRORED;

    /** The word on the wire and in {@code pm list}: {@code online}, {@code errored}… */
    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
