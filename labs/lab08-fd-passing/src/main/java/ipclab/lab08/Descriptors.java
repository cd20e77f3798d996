package ipclab.lab08;

import ipclab.support.ChannelDescriptor;
import ipclab.support.Libc;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.newsclub.net.unix.FileDescriptorCast;

/** Between Java's {@link FileDescriptor} objects and the kernel's descriptor numbers. */
public final class Descriptors {

    private Descriptors() {
    }

    /** The number behind a Java FileDescriptor: the index into this process's descriptor table. */
    public static int number(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(Integer.class);
    }

    /** A Java FileDescriptor for a descriptor number we own (e.g. one recvmsg installed for us). */
    public static FileDescriptor of(int fd) throws IOException {
        return FileDescriptorCast.unsafeUsing(fd).getFileDescriptor();
    }

    /**
     * The descriptor of a JDK channel (SocketChannel, ServerSocketChannel, DatagramChannel), which
     * the JDK keeps private ({@link ChannelDescriptor} says how it is reached). The channel still
     * owns it: close the channel, not the descriptor.
     */
    public static FileDescriptor of(Channel channel) throws IOException {
        return ChannelDescriptor.of(channel);
    }

    /** close(2) on a descriptor number. */
    public static void close(int fd) throws IOException {
        Libc.close(fd);
    }

    /** close(2) on a received descriptor that nothing else (no stream, no channel) has taken over. */
    public static void close(FileDescriptor fd) throws IOException {
        Libc.close(number(fd));
    }

    /** How many descriptors this process has open now: the entries of /proc/self/fd. */
    public static int openCount() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            // Listing /proc/self/fd opens one descriptor for the directory itself; do not count it.
            return (int) entries.count() - 1;
        }
    }

    /**
     * True when descriptor {@code fd1} of process {@code pid1} and descriptor {@code fd2} of process
     * {@code pid2} refer to the same open file description: kcmp(2) with KCMP_FILE returns 0.
     */
    public static boolean sameOpenFile(long pid1, int fd1, long pid2, int fd2) throws IOException {
        throw new UnsupportedOperationException("TODO: kcmp(2) with KCMP_FILE (Libc.kcmp) returns 0 when both descriptors refer to one open file description");
    }
}
