package ipclab.lab10;

import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A round-robin worker for the tests, speaking the channel protocol itself on a loop of its own. The
 * first worker to create {@code DIR/special} (writing its pid there) misbehaves as MODE says; the
 * others are normal.
 *
 * <pre>TestWorker MODE DIR</pre>
 * <ul>
 *   <li>{@code slow-ack}: answers and replies to a socket only once {@code DIR/release} exists;
 *       a second socket before that is a protocol violation, written to {@code DIR/violations}</li>
 *   <li>{@code refuse}: refuses every socket (reply accepted=false), one line per refusal in {@code DIR/refused}</li>
 *   <li>{@code die}: exits with code 3 as soon as a socket arrives, without a reply</li>
 *   <li>{@code hold}: keeps its first socket and never replies; writes {@code DIR/held}</li>
 * </ul>
 */
public final class TestWorker {

    /** How often the slow worker looks for the release file: a file has no readiness to wait for. */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(20);

    private final String mode;
    private final Path dir;
    private final boolean special;
    private final EventLoop loop;
    private final ClusterChannel channel;
    private final byte[] answer = ClusterWorker.answer().getBytes(StandardCharsets.UTF_8);
    private boolean pending;

    private TestWorker(String mode, Path dir, boolean special, EventLoop loop, ClusterChannel channel) {
        this.mode = mode;
        this.dir = dir;
        this.special = special;
        this.loop = loop;
        this.channel = channel;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        boolean special;
        try {
            Files.writeString(dir.resolve("special"), Long.toString(ProcessHandle.current().pid()), StandardOpenOption.CREATE_NEW);
            special = true;
        } catch (FileAlreadyExistsException e) {
            special = false;
        }
        EventLoop loop = EventLoop.open();
        TestWorker worker = new TestWorker(args[0], dir, special, loop, ClusterChannel.connect(loop));
        worker.channel.start(worker::onMessage, () -> System.exit(ClusterWorker.MASTER_GONE_EXIT));
        loop.run();
    }

    private void onMessage(ClusterMessage message, int fd) throws IOException {
        switch (message.act()) {
            case "setup" -> channel.send(ClusterMessage.listening(message.port()));
            case "newconn" -> onNewConn(message.seq(), fd);
            default -> {
            }
        }
    }

    private void onNewConn(long seq, int fd) throws IOException {
        if (!special) {
            channel.send(ClusterMessage.reply(seq, true));
            answerAndClose(fd);
            return;
        }
        switch (mode) {
            case "slow-ack" -> {
                if (pending) {
                    append("violations", "got socket " + seq + " before replying to the last\n");
                }
                pending = true;
                releaseLater(seq, fd);
            }
            case "refuse" -> {
                append("refused", "refused " + seq + "\n");
                Libc.close(fd);
                channel.send(ClusterMessage.reply(seq, false));
            }
            case "die" -> Runtime.getRuntime().halt(3);
            case "hold" -> append("held", "held " + seq + "\n");
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    /** Slow-ack: answers, closes and replies once the release file exists. */
    private void releaseLater(long seq, int fd) {
        loop.schedule(LOOK_AGAIN, () -> {
            if (!Files.exists(dir.resolve("release"))) {
                releaseLater(seq, fd);
                return;
            }
            try {
                answerAndClose(fd);
                pending = false;
                channel.send(ClusterMessage.reply(seq, true));
            } catch (IOException e) {
                e.printStackTrace();
            }
        });
    }

    private void answerAndClose(int fd) throws IOException {
        int done = 0;
        while (done < answer.length) {
            done += Libc.write(fd, answer, done, answer.length - done);
        }
        Libc.close(fd);
    }

    private void append(String file, String line) throws IOException {
        Files.writeString(dir.resolve(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
