package ipclab.support.testing;

import ipclab.support.ChildJvm;
import java.time.Duration;

/** Prints what it sees of a Node parent's channel variables; with an argument, starts a grandchild that does the same. */
public final class NodeVariables {

    private NodeVariables() {
    }

    public static void main(String[] args) throws Exception {
        String who = args.length > 0 ? args[0] : "grandchild";
        System.out.println(who + " sees " + System.getenv("NODE_CHANNEL_FD") + " " + System.getenv("NODE_CHANNEL_SERIALIZATION_MODE"));
        if (args.length > 0) {
            System.out.print(ChildJvm.main(NodeVariables.class).run(Duration.ofSeconds(30)).stdout());
        }
    }
}
