package ipclab.grader.runner;

import ipclab.testkit.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds every process a grading run started, however far it got from its parent.
 *
 * <p>A process's environment is inherited by everything it starts, so the grader puts a token
 * ({@value #TOKEN_VARIABLE}) into the runner JVM's environment and later looks for that token in
 * {@code /proc/PID/environ}. That finds grandchildren too, even orphans that were re-parented to
 * init when their parent died, which a walk down the process tree would miss.
 */
public final class RunProcesses {

    /** The environment variable that marks every process of one grading run. */
    public static final String TOKEN_VARIABLE = ipclab.support.RunTag.VARIABLE;

    private RunProcesses() {
    }

    /** Live (not zombie) processes carrying the token, other than this one, plus this one's descendants. */
    public static Set<ProcessHandle> find(String token) {
        Set<ProcessHandle> found = new LinkedHashSet<>();
        long self = ProcessHandle.current().pid();
        byte[] marker = (TOKEN_VARIABLE + "=" + token + "\0").getBytes(StandardCharsets.UTF_8);
        for (long pid : Processes.pids()) {
            if (pid != self && carries(Path.of("/proc", Long.toString(pid), "environ"), marker) && !isZombie(pid)) {
                ProcessHandle.of(pid).ifPresent(found::add);
            }
        }
        ProcessHandle.current().descendants().filter(p -> !isZombie(p.pid())).forEach(found::add);
        return found;
    }

    private static boolean carries(Path environ, byte[] marker) {
        try {
            byte[] env = Files.readAllBytes(environ);
            return indexOf(env, marker) >= 0;
        } catch (IOException | SecurityException e) {
            return false; // gone already, or another user's
        }
    }

    /** A zombie has exited and only waits to be reaped: it holds no resources worth reporting. A process gone counts too. */
    static boolean isZombie(long pid) {
        Processes.Stat stat = Processes.stat(pid);
        return stat == null || stat.zombie();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // variables start after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** {@code java … ipclab.lab03.Server --port 0} for a child JVM, the command line otherwise. */
    public static String describe(ProcessHandle p) {
        List<String> args = Processes.commandLine(p.pid());
        if (args.isEmpty()) {
            return p.info().commandLine().orElse("?");
        }
        String program = Path.of(args.getFirst()).getFileName().toString();
        int main = args.indexOf("ipclab.support.ChildMain");
        if (main < 0) {
            main = firstMainClass(args);
        } else {
            main++;
        }
        List<String> shown = main > 0 && main < args.size() ? args.subList(main, args.size()) : args.subList(1, args.size());
        String line = program + (main > 0 ? " … " : " ") + String.join(" ", shown);
        return line.length() <= 120 ? line : line.substring(0, 119) + "…";
    }

    private static int firstMainClass(List<String> args) {
        if (!args.getFirst().endsWith("java")) {
            return -1;
        }
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                i++;
            } else if (!a.startsWith("-")) {
                return i;
            }
        }
        return -1;
    }
}
