package ipclab.support.testing;

/** Prints its arguments on stdout, a line on stderr, and exits with the status given as first argument. */
public final class Echo {

    public static void main(String[] args) {
        System.out.println(String.join(" ", args));
        System.err.println("to stderr");
        System.exit(Integer.parseInt(args[0]));
    }
}
