package ipclab.lab11;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code pm.pid}, and the lock on it that says "a daemon is alive". The daemon takes the lock
 * ({@code fcntl(F_SETLK)}, which is what {@link FileChannel#tryLock()} does on Linux) before it touches
 * anything else and holds it for its whole life; the kernel drops it when the process dies, even by
 * SIGKILL, so a stale file never fools the next daemon. pm2 writes {@code pm2.pid} with no lock, and
 * two daemons can start side by side.
 *
 * <p>Beware of POSIX record locks: they belong to the process, and closing <em>any</em> descriptor of
 * the file releases them. The daemon never opens {@code pm.pid} a second time.
 */
public final class PidFile {

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code path} (made 0600 if missing) without waiting; once it is ours, replaces
     * the file's content with our pid. A loser changes nothing: it does not even truncate the file.
     *
     * @throws AlreadyRunning when another process holds the lock; it names the pid the file holds
     */
    public static PidFile acquire(Path path) throws IOException, AlreadyRunning {
        // No TRUNCATE_EXISTING: the file is the winner's to empty, once it has won.
        FileChannel channel = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close(); // we hold no lock on it, so closing releases nothing of the holder's
            throw new AlreadyRunning(path, holder(path));
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new PidFile(path, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The daemon's last act: deletes {@code pm.pid} while still holding the lock (so no other daemon can
     * have taken it in between), then lets go of the lock.
     */
    public void release() throws IOException {
        try {
            Files.deleteIfExists(path);
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** The file this lock is on. */
    public Path path() {
        return path;
    }

    /** The pid the holder wrote, or -1 while it has not written it yet (it truncates, then writes). */
    private static long holder(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
