package ipclab.lab03;

import ipclab.support.Libc;
import java.nio.file.Path;

/**
 * A client that dies in the middle of its request, with raw system calls only: it makes its reply
 * FIFO, opens it for reading, writes its request into the request FIFO, and exits at once without
 * reading the reply or removing anything. Its reply FIFO stays behind with no reader.
 *
 * <pre>DyingClientChild REQUEST_FIFO REPLY_FIFO</pre>
 */
public final class DyingClientChild {

    private DyingClientChild() {
    }

    public static void main(String[] args) throws Exception {
        Path requestFifo = Path.of(args[0]);
        Path replyFifo = Path.of(args[1]);
        Libc.mkfifo(replyFifo, 0600);
        Libc.open(replyFifo, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        int out = Libc.open(requestFifo, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        byte[] request = new Request(ProcessHandle.current().pid(), 7, replyFifo).encode();
        Libc.write(out, request, 0, request.length);
        Runtime.getRuntime().halt(0); // as if killed here: no reply read, nothing closed or removed
    }
}
