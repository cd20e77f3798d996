package ipclab.lab07;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ipclab.grader.api.Graded;
import ipclab.support.ChildProcess;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.testkit.FdTargets;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PosixQueueTest {

    private final List<String> names = new ArrayList<>();

    private String newName(String purpose) {
        String name = TestKit.queueName(purpose);
        names.add(name);
        return name;
    }

    @AfterEach
    void removeQueues() {
        names.forEach(TestKit::unlinkQuietly);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Graded(points = 15, handout = "Step 1: Open, send and receive")
    @DisplayName("messages sent by another process arrive whole and in order, and the queue descriptor is a file descriptor named after the queue")
    void messagesCrossBetweenProcessesWhole() throws Exception {
        String name = newName("basic");
        try (PosixQueue queue = PosixQueue.create(name, 10, 256)) {
            assertThat(FdTargets.target(queue.descriptor()))
                    .as("readlink /proc/self/fd/%d: a message queue descriptor is a file descriptor for the queue's file in the mqueue"
                            + " filesystem; return what mq_open returned from descriptor()", queue.descriptor())
                    .isEqualTo(name);

            TestKit.runToEnd(Duration.ofSeconds(15), "mq-send", name, "0:hello", "0:a second, longer message", "0:3");

            List<String> received = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Optional<Message> m = queue.receive(Duration.ofSeconds(5));
                assertThat(m).as("message %d of 3 that the child sent before it exited", i + 1).isPresent();
                assertThat(m.get().priority()).as("priority of %s", m.get()).isZero();
                received.add(m.get().text());
            }
            assertThat(received)
                    .as("each mq_receive returns exactly one message, whole: a queue keeps message boundaries."
                            + " Copy only the length mq_receive returned, not the whole buffer")
                    .containsExactly("hello", "a second, longer message", "3");

            PosixQueue.unlink(name);
            assertThat(Files.exists(Path.of("/dev/mqueue", name.substring(1))))
                    .as("/dev/mqueue%s after PosixQueue.unlink: mq_unlink removes the name (open descriptors stay usable)", name)
                    .isFalse();
        } finally {
            TestKit.unlinkQuietly(name);
        }
    }

    @Test
    @Graded(points = 10, handout = "Step 2: Attributes and the kernel's view")
    @DisplayName("attributes() reports the limits the queue was created with, the messages waiting, and O_NONBLOCK per descriptor")
    void attributesReportLimitsAndCount() throws Exception {
        String name = newName("attr");
        try (PosixQueue queue = PosixQueue.create(name, 4, 128)) {
            assertThat(queue.attributes())
                    .as("mq_getattr right after mq_open(O_CREAT) with mq_maxmsg 4 and mq_msgsize 128: pass a struct mq_attr"
                            + " to mq_open, or the queue gets the system defaults")
                    .isEqualTo(new QueueAttributes(0, 4, 128, 0));
            queue.send(utf8("one"), 0);
            queue.send(utf8("two"), 0);
            queue.send(utf8("three"), 9);
            assertThat(queue.attributes().currentMessages()).as("mq_curmsgs after three sends").isEqualTo(3);
            try (PosixQueue nonBlocking = PosixQueue.open(name, true)) {
                assertThat(nonBlocking.attributes().flags())
                        .as("mq_flags of a descriptor opened with O_NONBLOCK").isEqualTo(Libc.O_NONBLOCK);
                assertThat(nonBlocking.attributes().currentMessages())
                        .as("mq_curmsgs seen through a second descriptor: both refer to the same queue").isEqualTo(3);
                nonBlocking.receive();
            }
            assertThat(queue.attributes())
                    .as("the first descriptor after a message was taken through the second: still blocking (flags 0),"
                            + " one message fewer")
                    .isEqualTo(new QueueAttributes(0, 4, 128, 2));
        } finally {
            TestKit.unlinkQuietly(name);
        }
    }

    @Test
    @Graded(points = 10, handout = "Step 2: Attributes and the kernel's view")
    @DisplayName("QueueStatus parses the line in /dev/mqueue/NAME, and QSIZE counts the bytes of the queued messages")
    void statusFileShowsQueuedBytes() throws Exception {
        assertThat(QueueStatus.parse("QSIZE:129        NOTIFY:2     SIGNO:0     NOTIFY_PID:4242 \n"))
                .as("QueueStatus.parse of a line as the kernel writes it (fields separated by runs of spaces)")
                .isEqualTo(new QueueStatus(129, 2, 0, 4242));
        String name = newName("status");
        try (PosixQueue queue = PosixQueue.create(name, 5, 64)) {
            assertThat(QueueStatus.read(name))
                    .as("status of a new, empty queue (cat /dev/mqueue%s)", name)
                    .isEqualTo(new QueueStatus(0, 0, 0, 0));
            queue.send(utf8("12345"), 1);
            queue.send(utf8("1234567"), 2);
            assertThat(QueueStatus.read(name).bytesQueued())
                    .as("QSIZE after sending 5 and 7 bytes: the kernel counts message bytes")
                    .isEqualTo(12);
            queue.receive();
            assertThat(QueueStatus.read(name).bytesQueued())
                    .as("QSIZE after receiving the 7-byte message (it has the higher priority)")
                    .isEqualTo(5);
        } finally {
            TestKit.unlinkQuietly(name);
        }
    }

    @Test
    @Graded(points = 15, handout = "Step 3: Priorities")
    @DisplayName("the highest priority is received first, and messages of equal priority in the order they were sent")
    void higherPriorityFirst() throws Exception {
        String name = newName("prio");
        try (PosixQueue queue = PosixQueue.create(name, 10, 64)) {
            TestKit.runToEnd(Duration.ofSeconds(15), "mq-send", name,
                    "1:low", "5:urgent-a", "3:middle", "0:lowest", "5:urgent-b", "3:middle-2");
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Message m = queue.receive(Duration.ofSeconds(5)).orElseThrow(
                        () -> new AssertionError("fewer than 6 messages in the queue after the sender exited"));
                order.add(m.priority() + ":" + m.text());
            }
            assertThat(order)
                    .as("priorities as mq_receive reports them (its last argument): pass a pointer to 4 bytes and read it back")
                    .containsExactly("5:urgent-a", "5:urgent-b", "3:middle", "3:middle-2", "1:low", "0:lowest");
        } finally {
            TestKit.unlinkQuietly(name);
        }
    }

    @Test
    @Graded(points = 15, handout = "Step 4: Full and empty queues")
    @DisplayName("a full queue gives EAGAIN to a non-blocking sender, an empty one times out or EAGAINs, and a blocked receiver in another process wakes on send")
    void fullAndEmptyQueues() throws Exception {
        String name = newName("full");
        try (PosixQueue queue = PosixQueue.create(name, 2, 64);
             PosixQueue nonBlocking = PosixQueue.open(name, true)) {
            nonBlocking.send(utf8("a"), 0);
            nonBlocking.send(utf8("b"), 0);
            Throwable full = catchThrowable(() -> nonBlocking.send(utf8("c"), 0));
            assertThat(full)
                    .as("the third send to a queue with mq_maxmsg 2, through an O_NONBLOCK descriptor: expected an"
                            + " ErrnoException with EAGAIN instead of waiting for room")
                    .isInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) full).errno()).as("errno of the send to a full queue").isEqualTo(Errno.EAGAIN);
            assertThat(queue.attributes().currentMessages()).as("messages in the queue after the failed send").isEqualTo(2);

            queue.receive();
            queue.receive();
            Throwable empty = catchThrowable(nonBlocking::receive);
            assertThat(empty).as("receive on an empty queue through an O_NONBLOCK descriptor").isInstanceOf(ErrnoException.class);
            assertThat(((ErrnoException) empty).errno()).as("errno of the receive from an empty queue").isEqualTo(Errno.EAGAIN);
            assertThat(queue.receive(Duration.ofMillis(200)))
                    .as("receive(200 ms) on an empty queue: mq_timedreceive fails with ETIMEDOUT, which means 'empty'")
                    .isEmpty();

            try (ChildProcess child = TestKit.child("mq-receive", name, "1").start()) {
                BufferedReader out = TestKit.stdout(child);
                TestKit.awaitLine(child, out, Duration.ofSeconds(15), "waiting"::equals, "'waiting'");
                queue.send(utf8("wake up"), 2);
                String line = TestKit.awaitLine(child, out, Duration.ofSeconds(10), l -> true,
                        "the message a blocked mq_receive in the child should get");
                assertThat(line).as("what the child's blocking receive returned").isEqualTo("2:wake up");
                assertThat(child.waitFor(Duration.ofSeconds(10))).as("exit status of the receiving child").isZero();
            }
        } finally {
            TestKit.unlinkQuietly(name);
        }
    }
}
