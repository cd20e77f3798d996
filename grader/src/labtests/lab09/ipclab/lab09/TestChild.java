package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ipclab.support.ChildJvm;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVMs of the lab 09 tests, built on the lab's own Channel: {@code TestChild MODE [ARGS]}.
 * Reports go to stdout a line at a time; errors to stderr.
 */
public final class TestChild {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "connect" -> connect();
            case "echo" -> echo();
            case "slow-reader" -> slowReader();
            case "middle" -> middle(args[1]);
            case "orphan" -> orphan(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /**
     * Only finds the channel (step 3): connects, says so on stdout, and waits until its stdin ends,
     * without starting the channel: nothing on the loop, so nothing of steps 4 and 5 is needed.
     */
    private static void connect() throws Exception {
        Channel.fromEnvironment(); // connected: the parent's accept returns; the process's end closes it
        say("connected " + ProcessHandle.current().pid());
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    /**
     * Echoes messages that have "echo"; on {"burst":N} sends N messages of its own; reads a passed
     * file to the end and sends what it read back; serves RPC methods and calls the parent's "ping".
     * Everything runs on the child's loop.
     */
    private static void echo() throws Exception {
        long pid = ProcessHandle.current().pid();
        Channel channel = Channel.fromEnvironment();
        AtomicInteger received = new AtomicInteger();
        Rpc rpc = new Rpc(channel)
                .register("add", params -> JSON.getNodeFactory().numberNode(params.path("a").asInt() + params.path("b").asInt()))
                .register("fail", params -> {
                    throw new IllegalArgumentException("boom: " + params.path("why").asText());
                })
                // Never answers: a stage nobody completes. A handler that blocked instead would stop the loop.
                .registerAsync("hang", params -> new CompletableFuture<>());
        // Calls the parent inside a call: the answer comes when the inner call's stage completes, on the loop.
        rpc.registerAsync("callParent", params -> rpc.call("ping", JSON.createObjectNode().put("from", pid))
                .thenApply(answer -> JSON.createObjectNode().put("child", pid).set("parentSaid", answer)));
        channel.onMessage(message -> {
            received.incrementAndGet();
            JsonNode body = message.body();
            try {
                if (message.handle().isPresent()) {
                    try (FileInputStream in = new FileInputStream(message.handle().get())) {
                        channel.send(JSON.createObjectNode().put("read", new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                } else if (body.has("echo")) {
                    channel.send(body);
                } else if (body.has("burst")) {
                    for (int i = 0; i < body.path("burst").asInt(); i++) {
                        channel.send(JSON.createObjectNode().put("from", "child").put("n", i));
                    }
                }
            } catch (Exception e) {
                System.err.println("echo child: " + e);
            }
        });
        channel.onDisconnect(() -> say("disconnected after " + received.get() + " messages"));
        channel.start();
        channel.send(JSON.createObjectNode().put("hello", pid));
        channel.whenClosed().get();
    }

    /** Connects, but reads nothing until "go" arrives on stdin; then counts messages until one says "last". */
    private static void slowReader() throws Exception {
        Channel channel = Channel.fromEnvironment();
        AtomicInteger count = new AtomicInteger();
        CompletableFuture<JsonNode> last = new CompletableFuture<>();
        channel.onMessage(message -> {
            count.incrementAndGet();
            if (message.body().path("last").asBoolean()) {
                last.complete(message.body());
            }
        });
        say("connected");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        channel.start();
        JsonNode end = last.get(30, TimeUnit.SECONDS);
        say("got " + count.get() + " last " + end.path("n").asInt());
        channel.disconnect().get(30, TimeUnit.SECONDS);
    }

    /**
     * A parent in the middle: forks an "orphan" grandchild with a channel, reports its pid, then waits
     * to be killed. The grandchild's ChildMain watches the test JVM, not us, so that only the
     * channel's EOF can tell it we died.
     */
    private static void middle(String marker) throws Exception {
        String testJvm = System.getProperty(ipclab.support.ChildMain.PARENT_PID_PROPERTY);
        ChildJvm grandchild = ChildJvm.main(TestChild.class).args("orphan", marker)
                .jvmArgs("-D" + ipclab.support.ChildMain.PARENT_PID_PROPERTY + "=" + testJvm);
        Forked forked = Channel.fork(grandchild, Duration.ofSeconds(15));
        forked.channel().start();
        say("grandchild " + forked.child().pid());
        new CompletableFuture<Void>().get(60, TimeUnit.SECONDS); // until the test kills us
    }

    /** Notes the disconnect in a file, then leaves it to the channel's default (exit 87). */
    private static void orphan(Path marker) throws Exception {
        Channel channel = Channel.fromEnvironment();
        channel.onDisconnect(() -> {
            try {
                Files.writeString(marker, "disconnected");
            } catch (Exception e) {
                System.err.println("orphan: " + e);
            }
        });
        channel.start();
        new CompletableFuture<Void>().get(60, TimeUnit.SECONDS);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
