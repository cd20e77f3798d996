package ipclab.lab10;

import ipclab.support.Libc;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A round-robin worker for the tests, speaking the channel protocol itself. The first worker to
 * create {@code DIR/special} (writing its pid there) misbehaves as MODE says; the others are normal.
 *
 * <pre>TestWorker MODE DIR</pre>
 * <ul>
 *   <li>{@code slow-ack}: answers and acknowledges a socket only once {@code DIR/release} exists;
 *       a second socket before that is a protocol violation, written to {@code DIR/violations}</li>
 *   <li>{@code refuse}: refuses every socket (ack accepted=false), one line per refusal in {@code DIR/refused}</li>
 *   <li>{@code die}: exits with code 3 as soon as a socket arrives, without an ack</li>
 *   <li>{@code hold}: keeps its first socket and never acknowledges it; writes {@code DIR/held}</li>
 * </ul>
 */
public final class TestWorker {

    private TestWorker() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        long pid = ProcessHandle.current().pid();
        boolean special;
        try {
            Files.writeString(dir.resolve("special"), Long.toString(pid), StandardOpenOption.CREATE_NEW);
            special = true;
        } catch (FileAlreadyExistsException e) {
            special = false;
        }
        WorkerChannel channel = WorkerChannel.connectFromEnvironment();
        WorkerChannel.Message setup = channel.receive().message();
        channel.send(WorkerChannel.Message.listening(setup.port()));
        byte[] answer = ClusterWorker.answer().getBytes(StandardCharsets.UTF_8);
        Object lock = new Object();
        boolean[] pending = {false};
        try {
            while (true) {
                WorkerChannel.Envelope envelope = channel.receive();
                if (!envelope.message().act().equals("newconn")) {
                    continue;
                }
                int fd = envelope.handleFd();
                long seq = envelope.message().seq();
                if (!special) {
                    channel.send(WorkerChannel.Message.ack(seq, true));
                    SocketCalls.writeAll(fd, answer);
                    Libc.close(fd);
                    continue;
                }
                switch (mode) {
                    case "slow-ack" -> {
                        synchronized (lock) {
                            if (pending[0]) {
                                Files.writeString(dir.resolve("violations"), "got socket " + seq + " before acknowledging the last\n",
                                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            }
                            pending[0] = true;
                        }
                        Thread.ofPlatform().daemon().start(() -> {
                            try {
                                while (!Files.exists(dir.resolve("release"))) {
                                    Thread.sleep(20);
                                }
                                SocketCalls.writeAll(fd, answer);
                                Libc.close(fd);
                                synchronized (lock) {
                                    pending[0] = false;
                                }
                                channel.send(WorkerChannel.Message.ack(seq, true));
                            } catch (Exception e) {
                                e.printStackTrace();
                            }
                        });
                    }
                    case "refuse" -> {
                        Files.writeString(dir.resolve("refused"), "refused " + seq + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        Libc.close(fd);
                        channel.send(WorkerChannel.Message.ack(seq, false));
                    }
                    case "die" -> Runtime.getRuntime().halt(3);
                    case "hold" -> Files.writeString(dir.resolve("held"), "held " + seq + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
        } catch (EOFException e) {
            System.exit(ClusterWorker.MASTER_GONE_EXIT);
        } catch (IOException e) {
            e.printStackTrace();
            System.exit(1);
        }
    }
}
