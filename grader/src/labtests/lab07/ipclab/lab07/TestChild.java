package ipclab.lab07;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/** The other processes of the lab 07 tests: one main, a mode per job. Errors go to stderr, exit status 1. */
public final class TestChild {

    private TestChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "mq-send" -> {  // mq-send NAME PRIO:TEXT...: open the queue and send each message
                try (PosixQueue queue = PosixQueue.open(args[1], false)) {
                    for (int i = 2; i < args.length; i++) {
                        int colon = args[i].indexOf(':');
                        queue.send(args[i].substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                                Integer.parseInt(args[i].substring(0, colon)));
                    }
                }
                System.out.println("sent " + (args.length - 2));
            }
            case "mq-receive" -> {  // mq-receive NAME COUNT: say "waiting", then receive COUNT messages (blocking)
                try (PosixQueue queue = PosixQueue.open(args[1], false)) {
                    System.out.println("waiting");
                    System.out.flush();
                    for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
                        Message m = queue.receive();
                        System.out.println(m.priority() + ":" + m.text());
                    }
                }
            }
            case "produce" -> {  // produce DIR FIRST COUNT
                try (ChronicleQueue queue = Journal.open(Path.of(args[1]))) {
                    Journal.publish(queue, Long.parseLong(args[2]), Long.parseLong(args[3]));
                }
                System.out.println("published");
            }
            case "consume" -> consume(Path.of(args[1]), Path.of(args[2]), Long.parseLong(args[3]),
                    Long.parseLong(args[4]), Long.parseLong(args[5]));
            case "verify" -> verify(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Processes at most {@code limit} messages, stopping early once seq {@code total - 1} is committed. */
    private static void consume(Path source, Path processed, long limit, long progressEvery, long total) {
        long done = 0;
        long lastSeq = -1;
        try (JournalConsumer consumer = JournalConsumer.open(source, processed)) {
            System.out.println("opened");
            System.out.flush();
            while (done < limit && lastSeq < total - 1) {
                Optional<Processed> record = consumer.processNext();
                if (record.isEmpty()) {
                    LockSupport.parkNanos(50_000); // the producer is behind: let it run
                    continue;
                }
                lastSeq = record.get().seq();
                done++;
                if (done % progressEvery == 0) {
                    System.out.println("progress " + done + " seq " + lastSeq);
                    System.out.flush();
                }
            }
        }
        System.out.println("done " + done + " last " + lastSeq);
    }

    /**
     * Reads the processed journal and the source side by side and prints one summary line:
     * {@code records R distinct D duplicates X missing M firstDuplicate S firstMissing S misplaced P wrongResults W}.
     */
    private static void verify(Path sourceDir, Path processedDir, int count) {
        BitSet seen = new BitSet(count);
        long records = 0;
        long duplicates = 0;
        long firstDuplicate = -1;
        long misplaced = 0;
        long wrongResults = 0;
        try (ChronicleQueue source = Journal.open(sourceDir);
             ChronicleQueue processed = Journal.open(processedDir);
             ExcerptTailer out = processed.createTailer();
             ExcerptTailer in = source.createTailer()) {
            while (true) {
                Processed record;
                try (DocumentContext dc = out.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    record = Journal.readProcessed(dc);
                }
                records++;
                int seq = (int) record.seq();
                if (seq >= 0 && seq < count && seen.get(seq)) {
                    duplicates++;
                    firstDuplicate = firstDuplicate < 0 ? seq : firstDuplicate;
                } else if (seq >= 0 && seq < count) {
                    seen.set(seq);
                }
                if (record.result() != Journal.process(Journal.valueOf(seq))) {
                    wrongResults++;
                }
                // One consumer in order: the n-th processed record belongs to the n-th source message.
                try (DocumentContext dc = in.readingDocument()) {
                    if (!dc.isPresent() || dc.index() != record.sourceIndex() || Journal.readSource(dc)[0] != seq) {
                        misplaced++;
                    }
                }
            }
        }
        int firstMissing = seen.nextClearBit(0);
        System.out.println("records " + records + " distinct " + seen.cardinality() + " duplicates " + duplicates
                + " missing " + (count - seen.cardinality()) + " firstDuplicate " + firstDuplicate
                + " firstMissing " + (firstMissing >= count ? -1 : firstMissing)
                + " misplaced " + misplaced + " wrongResults " + wrongResults);
    }
}
