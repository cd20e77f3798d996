package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.demo.Narrator;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * {@code ./ipclab demo ipc-channel}: a parent and a child JVM find each other through a private
 * socket file, a stranger is refused, messages and a file handle travel, both sides call each
 * other, and a disconnect ends it all.
 */
public final class Demo {

    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Narrator n = Narrator.fromArgs(args);
        long me = ProcessHandle.current().pid();
        Path file = Files.createTempFile("ipclab-demo-", ".txt");
        try {
            Files.writeString(file, "0123456789 and this is what the child reads\n");
            run(n, me, file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void run(Narrator n, long me, Path file) throws Exception {
        ChannelServer server = ChannelServer.create();
        ChildProcess child = null;
        Channel channel = null;
        try (server) {
            Path socket = server.socketPath();
            n.step("The parent (pid " + me + ") listens in a private directory");
            n.shell("sh", "-c", "ls -ld " + socket.getParent() + "; ls -l " + socket.getParent());
            n.say("The directory is 0700 and the socket 0600: only our uid can reach it.");

            n.step("A stranger connects first; then the child, told the path in " + Channel.ENVIRONMENT_VARIABLE);
            try (AFUNIXSocketChannel stranger = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket))) {
                child = ChildJvm.main(Child.class).env(Channel.ENVIRONMENT_VARIABLE, socket.toString()).inheritIO().start();
                n.say("Child started: pid " + child.pid() + ". The stranger is this JVM itself: same uid, wrong pid.");
                channel = server.accept(child.pid(), DEADLINE, ChannelOptions.defaults());
                int read = stranger.read(ByteBuffer.allocate(1));
                n.say("SO_PEERCRED said pid " + child.pid() + ": accepted. The stranger read " + read + " (EOF): refused.");
            }
            n.shell("sh", "-c", "tr '\\0' '\\n' < /proc/" + child.pid() + "/environ | grep " + Channel.ENVIRONMENT_VARIABLE);
            n.shell("sh", "-c", "ls -ld " + socket.getParent() + " 2>&1 || true");
            n.say("The child is in, so the file and the directory are gone: nobody else can connect.");
            n.shell("sh", "-c", "ls -l /proc/" + me + "/fd /proc/" + child.pid() + "/fd | grep -e '^/proc' -e 'socket:'");

            BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
            Rpc rpc = new Rpc(channel).register("parentPid", params -> Envelope.JSON.getNodeFactory().numberNode(me));
            CompletableFuture<Void> disconnected = new CompletableFuture<>();
            channel.onMessage(m -> {
                if (!m.body().has("rpc")) {
                    inbox.add(m.body());
                }
            }).onDisconnect(() -> disconnected.complete(null)).start();

            n.step("Messages: one JSON object per line");
            for (String text : new String[] {"hello", "ünïcødé", "a \"quoted\"\nnewline"}) {
                channel.send(Envelope.JSON.createObjectNode().put("echo", text));
                n.say("sent " + Envelope.message(Envelope.JSON.createObjectNode().put("echo", text)).toLine().length
                        + " bytes, came back: " + take(inbox));
            }

            n.step("A handle: our open file, at offset 10, rides on a line with SCM_RIGHTS");
            CompletableFuture<Void> acked;
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                in.readNBytes(10);
                acked = channel.send(Envelope.JSON.createObjectNode().put("file", file.toString()), in.getFD());
            }
            n.say("We closed our copy at once; the channel keeps a dup until the child's ack, and holds back what we send after it.");
            acked.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            n.say("Acknowledged. The child read through its own descriptor: " + take(inbox));

            n.step("RPC both ways: we call the child, and inside that call it calls us");
            JsonNode answer = rpc.call("shout", Envelope.JSON.createObjectNode().put("text", "calls on top of messages"))
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            n.say("shout → " + answer);
            try {
                rpc.call("noSuchMethod", Envelope.JSON.createObjectNode()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                n.say("noSuchMethod → " + e.getCause().getMessage());
            }

            n.step("disconnect(): drain the queue, shutdown(SHUT_WR), both sides see the event");
            for (int i = 0; i < 3; i++) {
                channel.send(Envelope.JSON.createObjectNode().put("last words", i));
            }
            channel.disconnect().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            disconnected.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            int status = child.waitFor(DEADLINE);
            n.say("Our disconnect event ran; the child exited with status " + status + " (CHANNEL_CLOSED_EXIT is "
                    + Channel.CHANNEL_CLOSED_EXIT + ": its parent's end closed).");
        } finally {
            if (channel != null) {
                channel.close();
            }
            if (child != null) {
                child.close();
            }
        }
    }

    private static JsonNode take(BlockingQueue<JsonNode> inbox) throws InterruptedException, IOException {
        JsonNode next = inbox.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (next == null) {
            throw new IOException("the child did not answer within " + DEADLINE);
        }
        return next;
    }

    /** The demo's child: echoes, reads passed files, shouts, and calls the parent back. */
    public static final class Child {

        private Child() {
        }

        public static void main(String[] args) throws Exception {
            long me = ProcessHandle.current().pid();
            Channel channel = Channel.fromEnvironment();
            Rpc rpc = new Rpc(channel);
            // On the loop a handler must not wait: the parent's answer could only be read by the loop itself.
            rpc.registerAsync("shout", params -> rpc.call("parentPid", Envelope.JSON.createObjectNode())
                    .thenApply(parent -> Envelope.JSON.createObjectNode().put("text", params.path("text").asText().toUpperCase())
                            .put("child", me).put("parentSaid", parent.asLong())));
            channel.onMessage(m -> {
                try {
                    if (m.handle().isPresent()) {
                        try (FileInputStream in = new FileInputStream(m.handle().get())) {
                            channel.send(Envelope.JSON.createObjectNode().put("read", new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                        }
                    } else if (m.body().has("echo")) {
                        ObjectNode back = Envelope.JSON.createObjectNode().put("echo", m.body().path("echo").asText()).put("child", me);
                        channel.send(back);
                    } else if (!m.body().has("rpc")) {
                        System.out.println("  [child " + me + "] got " + m.body());
                    }
                } catch (IOException e) {
                    System.err.println("  [child " + me + "] " + e.getMessage());
                }
            });
            channel.onDisconnect(() -> System.out.println("  [child " + me + "] disconnect event: the parent's end closed"));
            channel.start();
            channel.whenClosed().get();
        }
    }
}
