package ipclab.lab09;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.ChildJvm;
import ipclab.support.Libc;
import ipclab.support.loop.CallbackFailures;
import ipclab.support.loop.EventLoop;
import ipclab.support.net.Sockets;
import ipclab.testkit.Await;
import ipclab.testkit.Quietly;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** What the lab 09 tests share: a loop of the test's own, a child JVM with a channel, a socketpair with a raw peer. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final ObjectMapper JSON = new ObjectMapper();

    private TestKit() {
    }

    /**
     * When the running test began ({@link #testBegins}; making its loop counts): what a callback threw
     * since then explains a message that never came (a {@code TODO} thrown on the loop is only
     * printed), also when it threw before the test began to wait.
     */
    private static volatile long testBegan = System.nanoTime();

    /** Marks the running test's start, for a test that makes no loop of its own. */
    static void testBegins() {
        testBegan = System.nanoTime();
    }

    /** What loop callbacks threw since the running test began, as a sentence to append; empty when none did. */
    static String callbackFailures() {
        return CallbackFailures.describeSince(testBegan);
    }

    /** A loop for one test, closed by it: the process's loop would live on, and look like a leak. */
    static EventLoop loop() throws Exception {
        testBegins();
        return EventLoop.start("lab09-test-loop");
    }

    /** {@link Await#await} with the test's deadline, naming what loop callbacks threw since the test began. */
    static <T> T await(CompletableFuture<T> target, String whenItHangs) throws Exception {
        return Await.awaitSince(testBegan, target, DEADLINE, whenItHangs);
    }

    /** {@link Await#failureOf} with the test's deadline, naming what loop callbacks threw since the test began. */
    static Throwable failureOf(CompletableFuture<?> future, String whenItHangs) throws Exception {
        return Await.failureOfSince(testBegan, future, DEADLINE, whenItHangs);
    }

    /** {@link Await#within} with the test's deadline, naming what loop callbacks threw since the test began. */
    static <T> T within(String whenItHangs, Callable<T> work) throws Exception {
        return await(Await.onNewThread(work), whenItHangs);
    }

    /**
     * Closes a test's loop, but waits no longer than the deadline: {@link EventLoop#close} waits for
     * the loop's turn to end, and a callback that blocks (a latch a failed test never counted down)
     * would hold the test, and the lab's time, for ever.
     */
    static void close(EventLoop loop) throws Exception {
        within("the test's event loop did not close: a callback on it never returned (does one block?)", () -> {
            loop.close();
            return null;
        });
    }

    /** Runs {@code work} on {@code loop} and returns what it returned; what it threw is thrown here, a TODO included. */
    static <T> T onLoop(EventLoop loop, String whenItHangs, Callable<T> work) throws Exception {
        return await(loop.submit(work), whenItHangs);
    }

    /**
     * A child JVM forked with a channel ({@link Channel#fork}) on a loop of the test's own, its
     * stdout, and an inbox that collects every message the test receives. The channel is not
     * started: add an Rpc if needed, then {@code channel().start()}. Closing closes the channel,
     * kills the child and closes the loop.
     */
    record Session(EventLoop loop, Forked forked, BufferedReader out, BlockingQueue<Message> inbox) implements AutoCloseable {

        static Session open(Class<?> main, ChannelOptions options, String... args) throws Exception {
            EventLoop loop = TestKit.loop();
            try {
                Forked forked = Channel.fork(ChildJvm.main(main).args(args), DEADLINE, options, loop);
                BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
                forked.channel().onMessage(inbox::add);
                BufferedReader out = new BufferedReader(new InputStreamReader(forked.child().process().getInputStream(), StandardCharsets.UTF_8));
                return new Session(loop, forked, out, inbox);
            } catch (Exception | Error e) {
                TestKit.close(loop);
                throw e;
            }
        }

        static Session open(Class<?> main, String... args) throws Exception {
            return open(main, ChannelOptions.defaults(), args);
        }

        Channel channel() {
            return forked.channel();
        }

        long pid() {
            return forked.child().pid();
        }

        /** The next message the child sent us, or a failure at the deadline that says what we waited for. */
        JsonNode next(String whenItHangs) throws Exception {
            return TestKit.next(inbox, whenItHangs).body();
        }

        /** The child's next line of output, or a failure at the deadline. */
        String line(String whenItHangs) throws Exception {
            String line = within(whenItHangs, out::readLine);
            if (line == null) {
                fail(forked.child() + " ended before answering (its error, if any, is on stderr above): " + whenItHangs);
            }
            return line;
        }

        /** Tells the child to go on (it waits for a line on its stdin). */
        void go() throws Exception {
            OutputStream in = forked.child().process().getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        @Override
        public void close() throws Exception {
            try {
                forked.close();
            } finally {
                TestKit.close(loop);
            }
        }
    }

    /**
     * A channel over one end of a socketpair, on the test's loop, and a {@link RawPeer} on the other
     * end that the test drives by hand: no child JVM. Not started. Closing closes both ends.
     */
    record Pair(EventLoop loop, Channel channel, Closeable ourEnd, RawPeer peer, BlockingQueue<Message> inbox) implements AutoCloseable {

        static Pair open(EventLoop loop, ChannelOptions options) throws Exception {
            return open(loop, options, true);
        }

        /** As {@link #open(EventLoop, ChannelOptions)}; without an inbox, the channel has no message listener of the test's. */
        static Pair open(EventLoop loop, ChannelOptions options, boolean withInbox) throws Exception {
            int[] ends = Sockets.socketpair(Sockets.SOCK_STREAM);
            // Closes the channel's end once, whoever asks first: the channel when it shuts down, or
            // close() below when the channel could not (its shutDown still a TODO, or throwing).
            AtomicBoolean closed = new AtomicBoolean();
            Closeable ourEnd = () -> {
                if (closed.compareAndSet(false, true)) {
                    Libc.close(ends[0]);
                }
            };
            Channel channel = Channel.wrap(loop, ends[0], ourEnd, options, "the channel under test");
            BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
            if (withInbox) {
                channel.onMessage(inbox::add);
            }
            return new Pair(loop, channel, ourEnd, new RawPeer(ends[1]), inbox);
        }

        /** Runs {@code work} on the loop, as a callback would, and returns its result. */
        <T> T onLoop(String whenItHangs, Callable<T> work) throws Exception {
            return TestKit.onLoop(loop, whenItHangs, work);
        }

        @Override
        public void close() {
            try {
                channel.close();
            } finally {
                Quietly.close(ourEnd);
                peer.close();
                for (Message message : inbox) {
                    message.handle().ifPresent(Descriptors::closeQuietly);
                }
            }
        }
    }

    static Message next(BlockingQueue<Message> inbox, String whenItHangs) throws Exception {
        Message message = inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            return fail("no message within " + DEADLINE.toSeconds() + " s: " + whenItHangs + callbackFailures());
        }
        return message;
    }

    /**
     * A line as Node writes it, built by the test itself, without its '\n': a "message" is its body
     * as it is; "handle", "ack" and "nack" are Node's internal messages (NODE_HANDLE with the body
     * as "msg", NODE_HANDLE_ACK, NODE_HANDLE_NACK).
     */
    static String line(String kind, JsonNode body) throws Exception {
        JsonNode value = switch (kind) {
            case "message" -> body;
            case "handle" -> json().put("cmd", "NODE_HANDLE").put("type", "net.Native").set("msg", body);
            case "ack" -> json().put("cmd", "NODE_HANDLE_ACK");
            case "nack" -> json().put("cmd", "NODE_HANDLE_NACK");
            default -> throw new IllegalArgumentException("no such line kind: " + kind);
        };
        return JSON.writeValueAsString(value);
    }

    static ObjectNode json() {
        return JSON.createObjectNode();
    }
}
