package ipclab.lab03;

import ipclab.support.Libc;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One of several writers to the same FIFO, in a process of its own that knows only the path.
 * It opens the FIFO with your {@code Fifo.openForWriting}, prints "open", waits for one byte on
 * stdin (so that all writers start together), writes {@code COUNT} blocks of {@code SIZE} bytes
 * filled with its {@code ID}, and exits.
 *
 * <pre>FifoWriterChild PATH ID COUNT SIZE record|all</pre>
 * {@code record} writes each block with your {@code FifoIo.writeRecord}, {@code all} with {@code FifoIo.writeAll}.
 */
public final class FifoWriterChild {

    private FifoWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        Path fifo = Path.of(args[0]);
        byte id = Byte.parseByte(args[1]);
        int count = Integer.parseInt(args[2]);
        byte[] block = new byte[Integer.parseInt(args[3])];
        boolean records = args[4].equals("record");
        Arrays.fill(block, id);
        int fd = Fifo.openForWriting(fifo);
        try {
            System.out.println("open");
            System.out.flush();
            if (System.in.read() < 0) {
                return; // the test gave up before the start
            }
            for (int i = 0; i < count; i++) {
                if (records) {
                    FifoIo.writeRecord(fd, block);
                } else {
                    FifoIo.writeAll(fd, block);
                }
            }
        } finally {
            Libc.close(fd);
        }
    }
}
