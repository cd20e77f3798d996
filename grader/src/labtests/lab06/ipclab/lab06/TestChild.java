package ipclab.lab06;

/** The other process of the lab 06 tests that needs none of your code: one main, a mode per test. */
public final class TestChild {

    private TestChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "wait" -> {  // wait: say ready, then wait for stdin to end (or a signal)
                System.out.println("ready " + ProcessHandle.current().pid());
                System.out.flush();
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            case "exit" -> System.exit(Integer.parseInt(args[1]));  // exit N
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
