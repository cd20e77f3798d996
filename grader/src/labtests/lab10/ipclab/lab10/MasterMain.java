package ipclab.lab10;

import java.util.concurrent.CountDownLatch;

/** A cluster master in a child JVM, for the test that kills it: prints "online PID" per worker, then waits. */
public final class MasterMain {

    private MasterMain() {
    }

    public static void main(String[] args) throws Exception {
        ClusterEvents lines = new ClusterEvents() {
            @Override
            public void listening(WorkerHandle worker, int port) {
                System.out.println("listening " + worker.pid());
                System.out.flush();
            }
        };
        Cluster.start(TestKit.options(2), lines);
        new CountDownLatch(1).await(); // until killed
    }
}
