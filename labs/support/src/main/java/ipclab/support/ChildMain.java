package ipclab.support;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The first code a {@link ChildJvm} child runs: it arranges for the child to exit when its parent
 * dies, then calls the real {@code main}.
 *
 * <p>Why: a process whose parent dies is re-parented (to init or a subreaper) and runs on, an
 * orphan nobody will stop. Linux offers {@code prctl(PR_SET_PDEATHSIG)}, but it fires when the
 * parent <em>thread</em> that started the child ends, and a JVM starts children from whatever thread
 * asked: a test's thread that finishes would kill its child. So the child watches the parent
 * process instead and exits as soon as it is gone.
 */
public final class ChildMain {

    /** The system property that carries the parent's pid to the child. */
    public static final String PARENT_PID_PROPERTY = "ipclab.parent.pid";

    /** The exit status of a child that stopped because its parent died. */
    public static final int PARENT_DIED_EXIT = 86;

    private ChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ChildMain <main class> [args...]");
        }
        exitWhenParentDies();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the child's own exception, with its own stack trace
        }
    }

    private static void exitWhenParentDies() {
        String parent = System.getProperty(PARENT_PID_PROPERTY);
        if (parent == null) {
            return;
        }
        long parentPid = Long.parseLong(parent);
        ProcessHandle.of(parentPid).ifPresentOrElse(
                p -> p.onExit().thenRun(() -> parentGone(parentPid)),
                () -> parentGone(parentPid));
    }

    private static void parentGone(long parentPid) {
        System.err.println("ipclab: parent process " + parentPid + " has exited; child "
                + ProcessHandle.current().pid() + " exits too rather than run on as an orphan");
        Runtime.getRuntime().halt(PARENT_DIED_EXIT);
    }
}
