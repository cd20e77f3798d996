package ipclab.lab10;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One message between the master and a worker, sent as one JSON object in one datagram of a
 * {@link ClusterChannel}. {@code act} says what it is; the other fields are set when that act needs
 * them (absent ones are left out of the JSON). The names are Node's where Node has them
 * ({@code lib/internal/cluster/child.js}, {@code primary.js}, {@code round_robin_handle.js}).
 *
 * <ul>
 *   <li>master &rarr; worker {@code setup}: scheduling, host, port, delayMs; in shared mode the
 *       listening socket rides along (Node: the reply to {@code queryServer} with the handle attached,
 *       {@code shared_handle.js} 27&ndash;31)</li>
 *   <li>master &rarr; worker {@code newconn}: seq, with a connected socket attached (round-robin;
 *       Node: {@code {act:'newconn', key}} in {@code round_robin_handle.js} 129)</li>
 *   <li>worker &rarr; master {@code reply}: ack (the seq it answers), accepted; false means "I am
 *       leaving, give it to someone else" (Node: {@code {ack: seq, accepted}}, {@code child.js} 241)</li>
 *   <li>worker &rarr; master {@code listening}: port ({@code child.js} 117&ndash;127)</li>
 *   <li>master &rarr; worker {@code disconnect}: stop taking connections, finish the open ones, exit 0
 *       ({@code primary.js} 352&ndash;358)</li>
 * </ul>
 *
 * <p>Given code.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterMessage(String act, Long seq, Long ack, Boolean accepted, String scheduling, String host,
                             Integer port, Long delayMs) {

    public static ClusterMessage setup(Scheduling scheduling, String host, int port, long delayMs) {
        return new ClusterMessage("setup", null, null, null, scheduling.cliName(), host, port, delayMs);
    }

    public static ClusterMessage newconn(long seq) {
        return new ClusterMessage("newconn", seq, null, null, null, null, null, null);
    }

    public static ClusterMessage reply(long seq, boolean accepted) {
        return new ClusterMessage("reply", null, seq, accepted, null, null, null, null);
    }

    public static ClusterMessage listening(int port) {
        return new ClusterMessage("listening", null, null, null, null, null, port, null);
    }

    public static ClusterMessage disconnect() {
        return new ClusterMessage("disconnect", null, null, null, null, null, null, null);
    }

    /** True for a {@code reply} that takes the socket. */
    public boolean isAccepted() {
        return Boolean.TRUE.equals(accepted);
    }
}
