package ipclab.support.proc;

import ipclab.support.Downcall;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static ipclab.support.CLibrary.LIBC;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Starts a program as a child process with posix_spawn(3), through the Foreign Function &amp; Memory API.
 *
 * <p>Why not {@link ProcessBuilder}: it cannot put the child in a process group of its own, or in a
 * session of its own, and those decide who a signal to a group reaches and whom a terminal's hangup
 * reaches ({@link #SETPGROUP}, {@link #SETSID}). Nor does it give the child descriptors beyond 0, 1
 * and 2. A process manager needs all three; Node has the same need and calls libuv's
 * {@code uv_spawn}, whose {@code UV_PROCESS_DETACHED} is {@code setsid} (Node's {@code detached}
 * option, {@code lib/child_process.js} 712, passed down to libuv).
 *
 * <p>Why posix_spawn and not fork: a JVM cannot fork safely (the child would have one thread of many,
 * and locks held by the others), and posix_spawn does the fork, the changes and the exec in one call.
 * glibc makes the child with {@code CLONE_VM | CLONE_VFORK}, so the call returns only once the child
 * has exec'd or failed, and a failure in the child (no such program, no such directory) comes back
 * as the call's error number ({@link ErrnoException}), not as a child that exits with 127.
 *
 * <p>The child starts with exactly the descriptors it is given: 0, 1 and 2 from the {@link Request},
 * and its {@code extraFds}; every other one is closed, even one of ours without close-on-exec.
 */
public final class Spawn {

    /** POSIX_SPAWN_SETPGROUP: the child leads a new process group, numbered with its pid. */
    public static final int SETPGROUP = 0x02;
    /** POSIX_SPAWN_SETSIGDEF: every signal the child could handle or ignore starts with its default action. */
    public static final int SETSIGDEF = 0x04;
    /** POSIX_SPAWN_SETSIGMASK: the child starts with no signal blocked. */
    public static final int SETSIGMASK = 0x08;
    /** POSIX_SPAWN_SETSID (glibc 2.26): the child leads a new session, with no controlling terminal, and a new group in it. */
    public static final int SETSID = 0x80;
    /** What a child wants unless there is a reason: nothing of this JVM's signal state (see {@link SpawnAttributes}). */
    public static final int CLEAN_SIGNALS = SETSIGMASK | SETSIGDEF;

    private static final int KNOWN_FLAGS = SETPGROUP | SETSIGDEF | SETSIGMASK | SETSID;

    /** int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *, const posix_spawnattr_t *, char *const argv[], char *const envp[]) */
    private static final FunctionDescriptor SPAWN_SIGNATURE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final MethodHandle POSIX_SPAWN = LIBC.functionWithoutErrno("posix_spawn", SPAWN_SIGNATURE);
    /** The same, but a program name without a slash is looked for in the directories of PATH. */
    private static final MethodHandle POSIX_SPAWNP = LIBC.functionWithoutErrno("posix_spawnp", SPAWN_SIGNATURE);

    /**
     * What to start, and how.
     *
     * @param argv     the program and its arguments; {@code argv[0]} names the program. With a slash in
     *                 it, it is a path (relative to {@code cwd}, when one is given); without one, it is
     *                 looked for in the directories of <em>this</em> process's PATH (posix_spawnp), as a
     *                 shell does. Node's {@code file} and {@code args}
     * @param env      the child's whole environment, nothing inherited: start from {@link System#getenv()}
     *                 to add to ours. Node's {@code options.env}
     * @param cwd      the directory the child starts in, or {@code null} for this process's. Node's {@code options.cwd}
     * @param stdin    our descriptor that becomes the child's 0 (open {@code /dev/null} for "nothing"), and
     *                 so on for {@code stdout} (1) and {@code stderr} (2). Node's {@code options.stdio}
     * @param extraFds more descriptors, the child's number (3 or more) to ours, as Node's
     *                 {@code stdio[3..]}: each is the same open file description in both processes
     * @param flags    a combination of {@link #SETPGROUP} or {@link #SETSID}, and (almost always)
     *                 {@link #CLEAN_SIGNALS}
     */
    public record Request(List<String> argv, Map<String, String> env, Path cwd,
                          int stdin, int stdout, int stderr, Map<Integer, Integer> extraFds, int flags) {

        public Request {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
            extraFds = Map.copyOf(extraFds);
            if (argv.isEmpty() || argv.getFirst().isEmpty()) {
                throw new IllegalArgumentException("argv must name a program: " + argv);
            }
            argv.forEach(Request::checkNoNul);
            env.forEach((name, value) -> {
                if (name.isEmpty() || name.indexOf('=') >= 0) {
                    throw new IllegalArgumentException("an environment variable's name is not empty and has no '=': '" + name + "'");
                }
                checkNoNul(name);
                checkNoNul(value);
            });
            if (stdin < 0 || stdout < 0 || stderr < 0) {
                throw new IllegalArgumentException("stdin, stdout and stderr are descriptors of ours: " + stdin + ", " + stdout + ", " + stderr);
            }
            extraFds.forEach((childFd, ourFd) -> {
                if (childFd < 3 || ourFd < 0) {
                    throw new IllegalArgumentException("an extra descriptor is the child's 3 or more, from one of ours: " + childFd + " <- " + ourFd);
                }
            });
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new IllegalArgumentException("unknown flags 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
            }
            if ((flags & (SETSID | SETPGROUP)) == (SETSID | SETPGROUP)) {
                throw new IllegalArgumentException("SETSID makes the child lead a new group already; with SETPGROUP too, its setpgid would fail with EPERM");
            }
        }

        /**
         * {@code argv} with this process's environment, directory and standard descriptors, no
         * extra ones, and {@link #CLEAN_SIGNALS}: change what differs with the {@code with} methods.
         */
        public static Request of(List<String> argv) {
            return new Request(argv, System.getenv(), null, 0, 1, 2, Map.of(), CLEAN_SIGNALS);
        }

        public Request withEnv(Map<String, String> newEnv) {
            return new Request(argv, newEnv, cwd, stdin, stdout, stderr, extraFds, flags);
        }

        public Request withCwd(Path newCwd) {
            return new Request(argv, env, newCwd, stdin, stdout, stderr, extraFds, flags);
        }

        public Request withStdio(int newStdin, int newStdout, int newStderr) {
            return new Request(argv, env, cwd, newStdin, newStdout, newStderr, extraFds, flags);
        }

        public Request withExtraFds(Map<Integer, Integer> newExtraFds) {
            return new Request(argv, env, cwd, stdin, stdout, stderr, newExtraFds, flags);
        }

        public Request withFlags(int newFlags) {
            return new Request(argv, env, cwd, stdin, stdout, stderr, extraFds, newFlags);
        }

        /** Every descriptor the child gets: its number to ours, 0 to 2 and the extra ones, in order. */
        SortedMap<Integer, Integer> descriptors() {
            SortedMap<Integer, Integer> all = new TreeMap<>(extraFds);
            all.put(0, stdin);
            all.put(1, stdout);
            all.put(2, stderr);
            return all;
        }

        /** Whether argv[0] is looked for in PATH: it has no slash. */
        boolean searchesPath() {
            return argv.getFirst().indexOf('/') < 0;
        }

        /** The command line, shortened, for messages. */
        String describe() {
            String line = String.join(" ", argv);
            return (line.length() <= 120 ? line : line.substring(0, 119) + "…") + (cwd == null ? "" : ", in " + cwd);
        }

        private static void checkNoNul(String s) {
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a C string cannot hold a NUL character: '" + s.replace("\0", "\\0") + "'");
            }
        }
    }

    private Spawn() {
    }

    /**
     * Starts {@code request}'s program as a child of this process and returns its pid, once it has
     * exec'd. The child is this process's to reap: {@link PidFd#open} it at once, and
     * {@link PidFd#reap} it when it exits, or it stays a zombie. The JDK will not reap it.
     *
     * @throws ErrnoException from posix_spawn or posix_spawnp, for a failure here or in the child
     *                        before exec: ENOENT when there is no such program or no such directory
     *                        (the message says which), EACCES when the program may not be executed
     */
    public static int spawn(Request request) throws ErrnoException {
        return spawn(request, FileActions.HAS_CLOSEFROM);
    }

    /** As {@link #spawn(Request)}; {@code closefrom} false takes the way a glibc before 2.34 must. */
    static int spawn(Request request, boolean closefrom) throws ErrnoException {
        List<Integer> copies = new ArrayList<>();
        try (Arena arena = Arena.ofConfined();
             FileActions actions = FileActions.create(arena);
             SpawnAttributes attributes = SpawnAttributes.create(arena, request.flags())) {
            SortedMap<Integer, Integer> descriptors = request.descriptors();
            int firstFree = descriptors.lastKey() + 1;
            for (Map.Entry<Integer, Integer> d : descriptors.entrySet()) {
                actions.dup2(outOfTheWay(d.getValue(), d.getKey(), firstFree, copies), d.getKey());
            }
            for (int fd = 3; fd < firstFree; fd++) {
                if (!descriptors.containsKey(fd)) {
                    actions.close(fd); // a gap among the extra descriptors: ours must not show through
                }
            }
            if (request.cwd() != null) {
                actions.chdir(request.cwd());
            }
            actions.closeFrom(firstFree, closefrom);
            return call(arena, request, actions, attributes);
        } finally {
            for (int copy : copies) {
                Libc.closeQuietly(copy, "spawn");
            }
        }
    }

    /**
     * The child's dup2s run in order, so a descriptor of ours numbered like one the child is given
     * earlier would be overwritten before it is copied (giving the child our 3 as its 4 and our 4 as
     * its 3 would give it one of them twice). Such a descriptor is first copied here to a number above
     * all the child's, close-on-exec; the child's copy of it is closed with the rest.
     */
    private static int outOfTheWay(int ourFd, int childFd, int firstFree, List<Integer> copies) throws ErrnoException {
        if (ourFd == childFd || ourFd >= firstFree) {
            return ourFd;
        }
        int copy = Libc.fcntl(ourFd, Libc.F_DUPFD_CLOEXEC, firstFree);
        copies.add(copy);
        return copy;
    }

    private static int call(Arena arena, Request request, FileActions actions, SpawnAttributes attributes) throws ErrnoException {
        MemorySegment pid = arena.allocate(JAVA_INT);
        MemorySegment program = arena.allocateFrom(request.argv().getFirst());
        MemorySegment argv = strings(arena, request.argv());
        MemorySegment envp = strings(arena, request.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        MethodHandle handle = request.searchesPath() ? POSIX_SPAWNP : POSIX_SPAWN;
        String call = request.searchesPath() ? "posix_spawnp" : "posix_spawn";
        int error = Downcall.cannotFail(call, () -> (int) handle.invokeExact(pid, program, actions.segment(), attributes.segment(), argv, envp));
        if (error != 0) {
            throw new ErrnoException(call, request.describe(), error, meaning(request, error));
        }
        return pid.get(JAVA_INT, 0);
    }

    /** A NULL-terminated array of C strings, as argv and envp are. */
    private static MemorySegment strings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    /**
     * Which step failed, where the errno alone cannot say: ENOENT comes from the child's chdir as
     * from its exec. Looked at after the fact, so a directory removed in between could mislead.
     */
    private static String meaning(Request request, int error) {
        String program = request.argv().getFirst();
        Path cwd = request.cwd();
        if ((error == Errno.ENOENT.code() || error == Errno.ENOTDIR.code()) && cwd != null && !Files.isDirectory(cwd)) {
            return "the directory to start in, " + cwd + ", does not exist";
        }
        if (error == Errno.ENOENT.code()) {
            return request.searchesPath() ? "no such program '" + program + "' on PATH" : "no such program '" + program + "'";
        }
        if (error == Errno.EACCES.code()) {
            return "'" + program + "' may not be executed: it lacks execute permission, or is not a regular file, or a directory on its path may not be searched";
        }
        return null;
    }
}
