package ipclab.support.testing;

import java.io.IOException;

/** A child that says "ready PID" and then waits until its stdin is closed. */
public final class Sleeper {

    public static void main(String[] args) throws IOException {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
}
