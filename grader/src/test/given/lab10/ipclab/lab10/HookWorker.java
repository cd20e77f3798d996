package ipclab.lab10;

import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A round-robin worker for the tests of the hooks later labs use, speaking the channel protocol
 * itself. It writes one line to stdout ({@code out PID MARK}, MARK being the system property
 * {@code ipclab.hook.mark}) and one to stderr before it connects; says {@code listening} and then
 * {@code ready}; answers every socket. A {@code disconnect} is written down ({@code DIR/PID.disconnected})
 * and otherwise ignored: it stays until killed, and refuses what comes after, writing each such
 * late {@code newconn} down ({@code DIR/PID.late}).
 *
 * <pre>HookWorker DIR</pre>
 */
public final class HookWorker {

    private final Path dir;
    private final ClusterChannel channel;
    private final byte[] answer = ClusterWorker.answer().getBytes(StandardCharsets.UTF_8);
    private final long pid = ProcessHandle.current().pid();
    private boolean leaving;

    private HookWorker(Path dir, ClusterChannel channel) {
        this.dir = dir;
        this.channel = channel;
    }

    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        System.out.println("out " + pid + " " + System.getProperty("ipclab.hook.mark"));
        System.out.flush();
        System.err.println("err " + pid);
        System.err.flush();
        EventLoop loop = EventLoop.open();
        HookWorker worker = new HookWorker(Path.of(args[0]), ClusterChannel.connect(loop));
        worker.channel.start(worker::onMessage, () -> System.exit(ClusterWorker.MASTER_GONE_EXIT));
        loop.run();
    }

    private void onMessage(ClusterMessage message, int fd) throws IOException {
        switch (message.act()) {
            case "setup" -> {
                channel.send(ClusterMessage.listening(message.port()));
                channel.send(ClusterMessage.ready());
            }
            case "newconn" -> onNewConn(message.seq(), fd);
            case "disconnect" -> {
                leaving = true;
                note("disconnected", "disconnect\n");
            }
            default -> Libc.closeQuietly(fd, "hook worker");
        }
    }

    private void onNewConn(long seq, int fd) throws IOException {
        if (leaving) {
            note("late", "newconn " + seq + " after disconnect\n");
            Libc.close(fd);
            channel.send(ClusterMessage.reply(seq, false));
            return;
        }
        channel.send(ClusterMessage.reply(seq, true));
        for (int done = 0; done < answer.length; ) {
            done += Libc.write(fd, answer, done, answer.length - done);
        }
        Libc.close(fd);
    }

    private void note(String file, String line) throws IOException {
        Files.writeString(dir.resolve(pid + "." + file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
