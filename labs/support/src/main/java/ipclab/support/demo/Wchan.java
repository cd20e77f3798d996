package ipclab.support.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a process or thread sleeps in the kernel, as {@code /proc/PID/wchan} (or
 * {@code /proc/PID/task/TID/wchan}) names the kernel function: {@code pipe_read}, {@code pipe_write},
 * {@code wait_for_partner}… The demos show it to prove that a call is blocked, and where.
 */
public final class Wchan {

    private Wchan() {
    }

    /** The wchan file of a process. */
    public static Path ofProcess(long pid) {
        return Path.of("/proc/" + pid + "/wchan");
    }

    /** The wchan file of one thread of a process. */
    public static Path ofThread(long pid, String tid) {
        return Path.of("/proc/" + pid + "/task/" + tid + "/wchan");
    }

    /**
     * Waits (up to 5 s) until the wchan file names a kernel function ending with {@code function}
     * (kernels differ: pipe_read, anon_pipe_read), and returns what it says at the end.
     */
    public static String await(Path wchan, String function) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String where = Files.readString(wchan).strip();
        while (!where.endsWith(function) && System.nanoTime() < deadline) {
            Thread.sleep(10); // a demo may look every few ms; a test would wait for an event instead
            where = Files.readString(wchan).strip();
        }
        return where;
    }
}
