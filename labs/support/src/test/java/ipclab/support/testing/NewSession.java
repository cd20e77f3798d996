package ipclab.support.testing;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;

/** Says whether it leads its session and its group, calls setsid, says it again, and then what a second setsid answers. */
public final class NewSession {

    private NewSession() {
    }

    public static void main(String[] args) throws ErrnoException {
        System.out.println("before: " + leads());
        int sid = Libc.setsid();
        System.out.println("after: " + leads() + ", setsid returned " + (sid == Libc.getpid() ? "my pid" : sid));
        try {
            Libc.setsid();
        } catch (ErrnoException e) {
            System.out.println(e.getMessage());
        }
    }

    private static String leads() throws ErrnoException {
        int pid = Libc.getpid();
        return "session leader " + (Libc.getsid(0) == pid) + ", group leader " + (Libc.getpgid(0) == pid);
    }
}
