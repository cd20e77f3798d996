package ipclab.lab11;

/**
 * What the daemon does for one verb of the control socket, registered with {@link Daemon#register}:
 * pm2's {@code God} methods behind axon-rpc ({@code Daemon.js} 132–157). It runs on the daemon's
 * loop thread and must not block. Given code.
 */
@FunctionalInterface
public interface Verb {

    /**
     * Carries out {@code request} and answers through {@code reply}: at once, or later from another
     * callback on the loop (a stop that waits for its processes), or many times (a stream of log lines).
     *
     * @throws Refusal   for arguments it will not take: the client gets the refusal's sentence
     * @throws Exception anything else is a bug of the daemon's: the client gets "internal error: …"
     *                   and the stack trace goes to daemon.log; the daemon goes on
     */
    void handle(Request request, Responder reply) throws Exception;
}
