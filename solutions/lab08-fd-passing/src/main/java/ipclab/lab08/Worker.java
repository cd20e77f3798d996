package ipclab.lab08;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A worker process of a cluster server, reduced to its core: it gets its listening socket from its
 * parent over an {@link FdChannel} instead of opening one itself, then accepts clients on it.
 *
 * <pre>Worker CONTROL-NAME CONNECTIONS</pre>
 */
public final class Worker {

    private Worker() {
    }

    public static void main(String[] args) throws IOException {
        run(args[0], Integer.parseInt(args[1]));
    }

    /** The answer every client gets, the same as the cluster server's. */
    public static String answer() {
        return "Request handled by worker-" + ProcessHandle.current().pid() + "\n";
    }

    /**
     * Connects to the parent listening under {@code controlName}, receives one message carrying the
     * listening socket, tells the parent "ready", and serves {@code connections} clients on it.
     */
    public static void run(String controlName, int connections) throws IOException {
        try (FdChannel control = FdChannel.connect(controlName)) {
            Received message = control.receive(64);
            if (message.descriptors().size() != 1) {
                throw new IOException("worker: expected one listening socket from the parent, got " + message.descriptors().size());
            }
            try (AFUNIXServerSocketChannel listener = Handles.asListener(message.descriptors().getFirst())) {
                control.send("ready\n".getBytes(StandardCharsets.UTF_8));
                serve(listener, connections);
            }
        }
    }

    /** Accepts {@code connections} clients one after another; each gets {@link #answer()} and then EOF. */
    public static void serve(AFUNIXServerSocketChannel listener, int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            try (AFUNIXSocketChannel client = listener.accept()) {
                ByteBuffer reply = ByteBuffer.wrap(answer().getBytes(StandardCharsets.UTF_8));
                while (reply.hasRemaining()) {
                    client.write(reply);
                }
            }
        }
    }
}
