package ipclab.lab07;

import ipclab.support.ChildJvm;
import ipclab.support.ChildProcess;
import ipclab.support.ScratchFolder;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.RunTag;
import ipclab.support.demo.Narrator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Lab 07 live: a POSIX message queue seen through /dev/mqueue, priorities, a full queue, and a
 * Chronicle journal whose consumer is killed with SIGKILL and carries on where it stopped.
 * Run it with {@code ./ipclab demo message-queues} ({@code --no-pause} runs straight through).
 */
public final class Demo {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int JOURNAL_MESSAGES = 300_000;

    private final Narrator n;
    private final long pid = ProcessHandle.current().pid();

    private Demo(Narrator n) {
        this.n = n;
    }

    public static void main(String[] args) throws Exception {
        new Demo(Narrator.fromArgs(args)).run();
    }

    private void run() throws Exception {
        String name = PosixQueue.uniqueName("demo");
        try {
            aQueueIsAFile(name);
            priorities(name);
            fullQueue(name);
        } finally {
            removeQueue(name);
        }
        journalSurvivesKill();
        n.step("Done");
        try (Stream<Path> left = Files.list(QueueStatus.MOUNT_POINT)) {
            long ours = left.filter(p -> p.getFileName().toString().startsWith("ipclab-" + RunTag.current() + "-")).count();
            n.say("Queues this demo left in /dev/mqueue: " + (ours == 0 ? "none" : ours));
        }
        n.say("Child processes still running: " + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    // ---- 1. the queue as the kernel shows it -----------------------------------------------------

    private void aQueueIsAFile(String name) throws Exception {
        n.step("A message queue is a file in the mqueue filesystem");
        try (PosixQueue queue = PosixQueue.create(name, 5, 64)) {
            n.say("mq_open(\"" + name + "\", O_CREAT|O_EXCL|O_RDWR, 0600, {mq_maxmsg 5, mq_msgsize 64}) = " + queue.descriptor());
            n.say("Every queue has a file in /dev/mqueue; reading it gives the kernel's one-line status:");
            n.shell("ls", "-l", QueueStatus.MOUNT_POINT.toString());
            n.shell("cat", QueueStatus.fileOf(name).toString());
            n.say("QSIZE is the bytes queued; NOTIFY, SIGNO and NOTIFY_PID describe an mq_notify(3) registration (none here).");
            n.say("The queue descriptor is an ordinary file descriptor of this process (" + pid + "):");
            n.shell("sh", "-c", "ls -l /proc/" + pid + "/fd | grep ipclab");
            n.say("mq_getattr: " + queue.attributes());
        }
        n.say("mq_close freed the descriptor; the queue lives on until mq_unlink (it is still listed):");
        n.shell("cat", QueueStatus.fileOf(name).toString());
    }

    // ---- 2. priorities -------------------------------------------------------------------------

    private void priorities(String name) throws Exception {
        n.step("Priorities: the highest first, equal ones in order");
        ChildJvm.Result sent = ChildJvm.main(Sender.class)
                .args(name, "0:routine report", "9:URGENT: disk full", "3:normal request", "0:second routine report")
                .run(PATIENCE);
        n.say("Another process sent four messages and exited (" + sent.stdout().strip() + "); they wait in the kernel:");
        n.shell("cat", QueueStatus.fileOf(name).toString());
        try (PosixQueue queue = PosixQueue.open(name, false)) {
            for (int i = 0; i < 4; i++) {
                Message m = queue.receive();
                n.say("mq_receive → priority " + m.priority() + ": \"" + m.text() + "\"");
            }
        }
    }

    // ---- 3. full and empty ---------------------------------------------------------------------

    private void fullQueue(String name) throws Exception {
        n.step("A full queue: EAGAIN for a non-blocking sender");
        try (PosixQueue queue = PosixQueue.open(name, true)) {
            long max = queue.attributes().maxMessages();
            for (int i = 1; ; i++) {
                try {
                    queue.send(("message " + i).getBytes(StandardCharsets.UTF_8), 0);
                } catch (ErrnoException e) {
                    n.say("send #" + i + " to a queue holding " + max + " messages: " + e.getMessage());
                    break;
                }
            }
            n.say("A blocking descriptor would have slept in mq_send until a receiver made room.");
            n.shell("cat", QueueStatus.fileOf(name).toString());
        }
        try (PosixQueue queue = PosixQueue.open(name, false)) {
            int drained = 0;
            while (queue.receive(Duration.ofMillis(100)).isPresent()) {
                drained++;
            }
            n.say("A blocking descriptor received " + drained + "; then mq_timedreceive waited 100 ms on the empty queue: ETIMEDOUT.");
            n.shell("cat", QueueStatus.fileOf(name).toString());
        }
    }

    private void removeQueue(String name) {
        try {
            PosixQueue.unlink(name);
            n.say("mq_unlink(\"" + name + "\"): the name is gone, and with the last descriptor closed, the queue too.");
        } catch (Exception e) {
            n.say("could not remove " + name + ": " + e.getMessage());
        }
    }

    // ---- 4. the journal ------------------------------------------------------------------------

    private void journalSurvivesKill() throws Exception {
        n.step("A durable journal: kill -9 the consumer, start it again");
        ScratchFolder dir = ScratchFolder.create("ipclab-demo-journal");
        String source = dir.resolve("source").toString();
        String processed = dir.resolve("processed").toString();
        try (ChildProcess producer = ChildJvm.main(Worker.class)
                .args("produce", source, Integer.toString(JOURNAL_MESSAGES)).start()) {
            n.say("A producer process (pid " + producer.pid() + ") publishes " + JOURNAL_MESSAGES + " messages to " + source);
            try (ChildProcess consumer = ChildJvm.main(Worker.class).args("consume", source, processed).start()) {
                BufferedReader out = reader(consumer);
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !(line.startsWith("progress ") && Long.parseLong(line.split(" ")[1]) >= 100_000));
                Libc.kill(consumer.pid(), Libc.SIGKILL);
                consumer.process().waitFor();
                n.say("The consumer (pid " + consumer.pid() + ") said '" + line + "' and was killed with SIGKILL: exit status "
                        + consumer.process().exitValue() + ". No finally block ran in it.");
            }
            n.say("The journals are plain files, memory-mapped by every process that opens them:");
            n.shell("ls", "-l", source, processed);
            try (ChronicleQueue queue = Journal.open(Path.of(processed))) {
                n.say("Its last committed record: " + JournalConsumer.lastCommitted(queue).orElseThrow()
                        + " — the result and the source index, written in one document.");
            }
            try (ChildProcess again = ChildJvm.main(Worker.class).args("consume", source, processed).start()) {
                BufferedReader out = reader(again);
                String first = out.readLine();
                String last = first;
                for (String l = first; l != null; l = out.readLine()) {
                    last = l;
                }
                again.waitFor(PATIENCE);
                n.say("A new consumer (pid " + again.pid() + ") " + first + " and ended: " + last);
            }
            producer.waitFor(PATIENCE);
        }
        n.say("Every seq, counted in the processed journal:");
        n.say(count(Path.of(processed)));
        dir.close();
        n.say("Removed " + dir);
    }

    private static String count(Path processed) {
        BitSet seen = new BitSet(JOURNAL_MESSAGES);
        long records = 0;
        long duplicates = 0;
        try (ChronicleQueue queue = Journal.open(processed); ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    int seq = (int) Journal.readProcessed(dc).seq();
                    duplicates += seen.get(seq) ? 1 : 0;
                    seen.set(seq);
                    records++;
                }
            }
        }
        return records + " records, " + seen.cardinality() + " distinct seqs of " + JOURNAL_MESSAGES + ", "
                + duplicates + " processed twice: " + (records == JOURNAL_MESSAGES && duplicates == 0 ? "each exactly once" : "WRONG");
    }

    private static BufferedReader reader(ChildProcess child) {
        return new BufferedReader(new InputStreamReader(child.process().getInputStream(), StandardCharsets.UTF_8));
    }

    /** The demo's sender: opens the queue and sends each PRIORITY:TEXT argument. */
    public static final class Sender {

        private Sender() {
        }

        public static void main(String[] args) throws Exception {
            try (PosixQueue queue = PosixQueue.open(args[0], false)) {
                for (int i = 1; i < args.length; i++) {
                    int colon = args[i].indexOf(':');
                    queue.send(args[i].substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                            Integer.parseInt(args[i].substring(0, colon)));
                }
            }
            System.out.println("pid " + ProcessHandle.current().pid());
        }
    }

    /** The demo's journal processes: {@code produce DIR COUNT} or {@code consume SOURCE PROCESSED}. */
    public static final class Worker {

        private Worker() {
        }

        public static void main(String[] args) {
            if (args[0].equals("produce")) {
                try (ChronicleQueue queue = Journal.open(Path.of(args[1]))) {
                    Journal.publish(queue, 0, Long.parseLong(args[2]));
                }
                return;
            }
            try (JournalConsumer consumer = JournalConsumer.open(Path.of(args[1]), Path.of(args[2]))) {
                long done = 0;
                long lastSeq = -1;
                boolean first = true;
                while (lastSeq < JOURNAL_MESSAGES - 1) {
                    Optional<Processed> record = consumer.processNext();
                    if (record.isEmpty()) {
                        LockSupport.parkNanos(50_000);
                        continue;
                    }
                    lastSeq = record.get().seq();
                    if (first) {
                        System.out.println("started at seq " + lastSeq);
                        first = false;
                    }
                    if (++done % 20_000 == 0) {
                        System.out.println("progress " + done + " seq " + lastSeq);
                        System.out.flush();
                    }
                }
                System.out.println("processed " + done + ", last seq " + lastSeq);
            }
        }
    }
}
