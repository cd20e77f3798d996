package ipclab.support.testing;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/** A child that starts a grandchild Sleeper, says "grandchild PID", then waits for ever. */
public final class Spawner {

    public static void main(String[] args) throws Exception {
        ChildProcess grandchild = ChildJvm.main(Sleeper.class).start();
        String ready = new BufferedReader(new InputStreamReader(grandchild.process().getInputStream())).readLine();
        System.out.println("grandchild " + ready.substring("ready ".length()));
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
