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
     * When the running test made its loop, which every test does first: what a callback threw since
     * then explains a message that never came (a {@code TODO} thrown on the loop is only printed).
     */
    private static volatile long testBegan = System.nanoTime();

    /** A loop for one test, closed by it: the process's loop would live on, and look like a leak. */
    static EventLoop loop() throws Exception {
        testBegan = System.nanoTime();
        return EventLoop.start("lab09-test-loop");
    }

    /** Runs {@code work} on {@code loop} and returns what it returned; what it threw is thrown here, a TODO included. */
    static <T> T onLoop(EventLoop loop, String whenItHangs, Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return Await.await(result, DEADLINE, whenItHangs);
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
                loop.close();
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
            String line = Await.within(DEADLINE, whenItHangs, out::readLine);
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
        public void close() {
            try {
                forked.close();
            } finally {
                loop.close();
            }
        }
    }

    /**
     * A channel over one end of a socketpair, on the test's loop, and a {@link RawPeer} on the other
     * end that the test drives by hand: no child JVM. Not started. Closing closes both ends.
     */
    record Pair(EventLoop loop, Channel channel, Closeable ourEnd, RawPeer peer, BlockingQueue<Message> inbox) implements AutoCloseable {

        static Pair open(EventLoop loop, ChannelOptions options) throws Exception {
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
            channel.onMessage(inbox::add);
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
            return fail("no message within " + DEADLINE.toSeconds() + " s: " + whenItHangs + CallbackFailures.describeSince(testBegan));
        }
        return message;
    }

    /** An envelope written by the test itself, without its '\n': {"kind":KIND,"body":BODY}. */
    static String line(String kind, JsonNode body) throws Exception {
        ObjectNode envelope = json().put("kind", kind);
        if (body != null) {
            envelope.set("body", body);
        }
        return JSON.writeValueAsString(envelope);
    }

    static ObjectNode json() {
        return JSON.createObjectNode();
    }
}
