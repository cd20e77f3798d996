package ipclab.lab03;

import ipclab.support.Libc;
import ipclab.testkit.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The other side of a FIFO, in a process of its own that knows only the FIFO's path. It uses raw
 * system calls, so that a test of your reading side does not depend on your writing side.
 *
 * <pre>
 * FifoPeerChild write PATH TEXT   open(O_WRONLY), which waits for a reader; write TEXT; close
 * FifoPeerChild read PATH         open(O_RDONLY), which waits for a writer; read to EOF; print it
 * FifoPeerChild hold PATH         open(O_RDONLY | O_NONBLOCK); print "open"; keep it until stdin ends
 * </pre>
 */
public final class FifoPeerChild {

    private FifoPeerChild() {
    }

    public static void main(String[] args) throws IOException {
        Path fifo = Path.of(args[1]);
        switch (args[0]) {
            case "write" -> {
                int fd = Libc.open(fifo, Libc.O_WRONLY | Libc.O_CLOEXEC, 0);
                byte[] text = args[2].getBytes(StandardCharsets.UTF_8);
                Libc.write(fd, text, 0, text.length);
                Libc.close(fd);
            }
            case "read" -> {
                int fd = Libc.open(fifo, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
                System.out.write(Bytes.readAll(fd));
                System.out.flush();
                Libc.close(fd);
            }
            case "hold" -> {
                int fd = Libc.open(fifo, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
                System.out.println("open");
                System.out.flush();
                System.in.readAllBytes();
                Libc.close(fd);
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
