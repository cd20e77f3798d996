package ipclab.lab11;

import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One app's log file, rotated by size: when the next line would take {@code NAME-out.log} beyond
 * {@link LogPolicy#maxBytes()}, the file is renamed {@code .1} (the old {@code .1} becoming {@code .2},
 * and so on up to {@link LogPolicy#keep()}, the oldest dropped) and a new one is begun.
 *
 * <p>The writer rotates, between two lines. The daemon is the only process that writes the file, and
 * it reads the app's pipe on the same thread: while it renames, the app's output waits in the pipe
 * (and a full pipe makes the app's own {@code write} wait). So no line is lost, none is split across
 * two files. pm2-logrotate instead copies the file and then truncates it (its {@code app.js} 121–145):
 * whatever pm2 writes between the end of the copy and the truncate is lost.
 */
public final class RotatingLog implements Closeable {

    /**
     * Every write at the end of the file, whatever the offset says: a second writer (an editor, a
     * stray {@code echo >>}) can never overwrite our lines, nor we its. Not inherited by children,
     * which must never hold an app's log open. 0600: a log can hold whatever an app prints.
     */
    private static final int FLAGS = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC;
    private static final int MODE = 0600;

    private final Path file;
    private final LogPolicy policy;
    /** The open file's descriptor, -1 once closed. */
    private int fd;
    /** The open file's size: what it held when opened, plus every line appended since. */
    private long size;

    /** Opens (or creates) {@code file} for appending; its rotated files sit beside it. */
    public RotatingLog(Path file, LogPolicy policy) throws IOException {
        this.file = file;
        this.policy = policy;
        open();
    }

    /**
     * Appends one whole line. When the file is not empty and the line would take it beyond
     * {@code maxBytes}, rotates first, so a line longer than {@code maxBytes} gets a file of its own.
     */
    public void append(byte[] line) throws IOException {
        if (fd < 0) {
            throw new IllegalStateException(file + " is closed");
        }
        if (size > 0 && size + line.length > policy.maxBytes()) {
            rotate();
        }
        int written = 0;
        while (written < line.length) {
            written += Libc.write(fd, line, written, line.length - written);
        }
        size += line.length;
    }

    /**
     * Closes the file, shifts {@code .keep-1 → .keep} … {@code .1 → .2} (rename(2) replaces the
     * target, which drops the oldest), renames the file to {@code .1}, and opens a new, empty one.
     * The file is opened again even when a rename fails: a failed rotation (a full disk, a renamed
     * folder) leaves one file too long, not every later line lost.
     */
    void rotate() throws IOException {
        Libc.close(fd);
        fd = -1;
        try {
            int last = 0;
            while (last < policy.keep() - 1 && Files.exists(numbered(last + 1))) {
                last++;
            }
            for (int i = last; i >= 1; i--) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(file, numbered(1), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            open();
        }
    }

    /** {@code NAME-out.log.3} for 3: the rotated file of that age, 1 being the newest. */
    public Path numbered(int age) {
        return file.resolveSibling(file.getFileName() + "." + age);
    }

    public Path file() {
        return file;
    }

    /** The current file's size in bytes. */
    public long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        if (fd >= 0) {
            int closing = fd;
            fd = -1;
            Libc.close(closing);
        }
    }

    private void open() throws ErrnoException {
        fd = Libc.open(file, FLAGS, MODE);
        size = Libc.lseek(fd, 0, Libc.SEEK_END);
    }
}
