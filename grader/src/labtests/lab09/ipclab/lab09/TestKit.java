package ipclab.lab09;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.ChildJvm;
import ipclab.testkit.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What the lab 09 tests share: a child JVM with a channel to the test, its stdout, an inbox. */
final class TestKit {

    static final Duration DEADLINE = Duration.ofSeconds(15);
    static final ObjectMapper JSON = new ObjectMapper();

    private TestKit() {
    }

    /**
     * A child JVM forked with a channel ({@link Channel#fork}), its stdout, and an inbox that collects
     * every message the test receives. The channel is not started: add an Rpc if needed, then
     * {@code channel().start()}. Closing closes the channel and kills the child.
     */
    record Session(Forked forked, BufferedReader out, BlockingQueue<Message> inbox) implements AutoCloseable {

        static Session open(Class<?> main, ChannelOptions options, String... args) throws Exception {
            Forked forked = Channel.fork(ChildJvm.main(main).args(args), DEADLINE, options);
            BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
            forked.channel().onMessage(inbox::add);
            BufferedReader out = new BufferedReader(new InputStreamReader(forked.child().process().getInputStream(), StandardCharsets.UTF_8));
            return new Session(forked, out, inbox);
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
            Message message = inbox.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                return fail("no message from the child within " + DEADLINE.toSeconds() + " s: " + whenItHangs);
            }
            return message.body();
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
            forked.close();
        }
    }

    static ObjectNode json() {
        return JSON.createObjectNode();
    }
}
