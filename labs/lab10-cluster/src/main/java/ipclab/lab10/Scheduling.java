package ipclab.lab10;

import java.util.Locale;

/**
 * How connections reach the workers. Node's {@code cluster} has the first two
 * ({@code cluster.schedulingPolicy = SCHED_RR | SCHED_NONE}); the third needs no master at all.
 */
public enum Scheduling {
    /**
     * Round-robin: the master accepts every connection itself and hands the connected socket to the
     * next free worker over its channel (SCM_RIGHTS). Fair by construction; every connection costs
     * the master an accept(2) and a sendmsg(2).
     */
    RR,
    /**
     * One shared listening socket: the master binds once and hands the <em>listening</em> socket to
     * every worker; each worker accepts on it itself. The kernel decides which accept(2) wins, so the
     * spreading is whatever the scheduler makes of it.
     */
    SHARED,
    /**
     * SO_REUSEPORT: every worker opens a listener of its own on the same port; the kernel hashes each
     * new connection (addresses and ports) to one of the listeners.
     */
    REUSEPORT;

    /** The name on the command line: {@code rr}, {@code shared}, {@code reuseport}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code rr}, {@code shared} or {@code reuseport} (any case). */
    public static Scheduling parse(String text) {
        for (Scheduling s : values()) {
            if (s.cliName().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scheduling '" + text + "': use rr, shared or reuseport");
    }
}
