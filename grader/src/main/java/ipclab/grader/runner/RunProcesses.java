package ipclab.grader.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

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
        try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
            for (Path dir : proc.toList()) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                if (carries(dir.resolve("environ"), marker) && !isZombie(dir)) {
                    ProcessHandle.of(Long.parseLong(name)).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            // /proc not listable: fall back to the descendants below.
        }
        ProcessHandle.current().descendants().filter(p -> !isZombie(Path.of("/proc", Long.toString(p.pid()))))
                .forEach(found::add);
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

    /** A zombie has exited and only waits to be reaped: it holds no resources worth reporting. */
    static boolean isZombie(Path procDir) {
        try {
            String stat = Files.readString(procDir.resolve("stat"));
            // pid (comm) state ...: comm may contain spaces and parentheses, so look after the last ')'.
            String afterComm = stat.substring(stat.lastIndexOf(')') + 2);
            return afterComm.charAt(0) == 'Z' || afterComm.charAt(0) == 'X';
        } catch (IOException | RuntimeException e) {
            return true; // gone
        }
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
        List<String> args;
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return p.info().commandLine().orElse("?");
        }
        if (args.isEmpty()) {
            return "?";
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
