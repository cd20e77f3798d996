package ipclab.lab02;

import ipclab.support.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A message channel to a child JVM over its stdin and stdout: two pipes, one each way, carrying
 * frames ({@link FrameCodec}). The child is any main class that speaks frames on its stdin and
 * stdout, such as {@link EchoChild}.
 *
 * <pre>{@code
 * try (MessageChannel channel = MessageChannel.start(EchoChild.class)) {
 *     channel.send(bytes);
 *     byte[] reply = channel.receive();
 *     int status = channel.finish(Duration.ofSeconds(5));   // 0: it ended cleanly
 * }
 * }</pre>
 */
public final class MessageChannel implements AutoCloseable {

    private final ChildProcess child;
    private final OutputStream toChild;
    private final InputStream fromChild;

    private MessageChannel(ChildProcess child) {
        this.child = child;
        // The JDK's streams to a child are buffered already; send() flushes after every frame.
        this.toChild = child.process().getOutputStream();
        this.fromChild = child.process().getInputStream();
    }

    /** Starts {@code mainClass} in a child JVM whose stdin and stdout are pipes to this process. */
    public static MessageChannel start(Class<?> mainClass, String... args) throws IOException {
        throw new UnsupportedOperationException("TODO: start mainClass with ChildJvm (stdin and stdout are pipes to us) and wrap it in a MessageChannel");
    }

    /** The child's process id. */
    public long pid() {
        return child.pid();
    }

    /** Sends one message as one frame, and flushes it into the pipe. */
    public void send(byte[] message) throws IOException {
        throw new UnsupportedOperationException("TODO: write one frame with FrameCodec to the child's stdin, then flush it into the pipe");
    }

    /**
     * Receives one message.
     *
     * @return the message, or {@code null} when the child has closed its stdout (it exited, say)
     * @throws FrameException when the child's output ends inside a frame or is not well framed
     */
    public byte[] receive() throws IOException {
        throw new UnsupportedOperationException("TODO: read one frame with FrameCodec from the child's stdout (null when it ended cleanly)");
    }

    /**
     * Ends the conversation: closes the child's stdin, so that its next read sees end of file, and
     * waits for it to exit.
     *
     * @return the child's exit status (0 when it ended cleanly)
     * @throws TimeoutException when it is still running at the deadline (close() then kills it)
     */
    public int finish(Duration deadline) throws IOException, InterruptedException, TimeoutException {
        throw new UnsupportedOperationException("TODO: close the child's stdin (it reads end of file), then wait for its exit and return the status");
    }

    /** Kills the child if it still runs, waits until it is gone, and closes both pipes. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO: close the ChildProcess: it kills the child if still running and closes the pipes");
    }
}
