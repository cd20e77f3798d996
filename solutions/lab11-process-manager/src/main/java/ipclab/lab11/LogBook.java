package ipclab.lab11;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import ipclab.support.loop.EventLoop;
import ipclab.support.loop.Timer;
import ipclab.support.loop.Watch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The apps' output, on the daemon's loop: each app's stdout and stderr arrive through a pipe whose
 * read end is watched here; what is read goes through a {@link LineStamper} into the app's
 * {@link RotatingLog} and out as a {@code log} event. pm2 pipes the same way
 * ({@code lib/God/ForkMode.js} 148–190) but stamps pieces, not lines, and rotates by copy and truncate.
 *
 * <p>Nothing is lost: the loop is the only writer of every log file, it rotates between two lines,
 * and while it is busy the app's bytes wait in the pipe (a full pipe blocks the app's {@code write}).
 * On the loop thread only.
 */
public final class LogBook {

    /** The most read from a pipe at once: a pipe holds 64 KiB by default. */
    static final int READ_BYTES = 64 * 1024;
    /** A partial line is written out (ending in {@link LineStamper#CUT}) after this much quiet. */
    static final Duration PARTIAL_FLUSH = Duration.ofSeconds(1);

    /** One pipe being read: an app's stdout or stderr, for one run. */
    private static final class Source {
        final String app;
        final Integer instance;
        final String stream;
        final int fd;
        final RotatingLog log;
        final LineStamper stamper;
        Watch watch;
        Timer flush;

        Source(String app, Integer instance, String stream, int fd, RotatingLog log, LineStamper stamper) {
            this.app = app;
            this.instance = instance;
            this.stream = stream;
            this.fd = fd;
            this.log = log;
            this.stamper = stamper;
        }
    }

    private final EventLoop loop;
    private final Home home;
    private final EventBus bus;
    private final Clock clock;
    /** One open log per file, shared by the runs of an app: a restart appends where the last run stopped. */
    private final Map<Path, RotatingLog> logs = new HashMap<>();
    private final byte[] buffer = new byte[READ_BYTES];

    public LogBook(EventLoop loop, Home home, EventBus bus, Clock clock) {
        this.loop = loop;
        this.home = home;
        this.bus = bus;
        this.clock = clock;
    }

    /**
     * Reads {@code fd}, the read end of {@code app}'s {@code stream} pipe (non-blocking, ours from
     * now on), into {@code logs/APP-STREAM.log} under {@code policy}, until end of file.
     */
    public void attach(String app, Integer instance, String stream, int fd, LogPolicy policy) throws IOException {
        Source source = new Source(app, instance, stream, fd, log(app, stream, policy), new LineStamper(clock));
        source.watch = loop.watch(fd, EventLoop.READABLE, (watch, events) -> onReadable(source));
    }

    /**
     * The pipe has bytes, or every writer has closed it. Reads until EAGAIN (or at most a few times,
     * so that one chatty app cannot hold the loop), writes the whole lines, and (re)starts the
     * one-second timer that flushes a partial line. At end of file: the partial line, then close.
     */
    void onReadable(Source source) throws IOException {
        for (int reads = 0; reads < 4; reads++) {
            int n;
            try {
                n = Libc.read(source.fd, buffer, 0, buffer.length);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    break;
                }
                throw e;
            }
            if (n == 0) {
                write(source, source.stamper.close());
                cancelFlush(source);
                source.watch.cancel();
                Libc.closeQuietly(source.fd, source.app + ": its " + source.stream + " pipe");
                return;
            }
            write(source, source.stamper.feed(buffer, 0, n));
        }
        cancelFlush(source);
        if (source.stamper.pending() > 0) {
            source.flush = loop.schedule(PARTIAL_FLUSH, () -> {
                try {
                    write(source, source.stamper.flushPartial());
                } catch (IOException e) {
                    loop.report(source.app + " " + source.stream, e, "a partial line was not written");
                }
            });
        }
    }

    /**
     * Streams {@code app}'s log lines to {@code reply}: the last {@code lines} of its out and err
     * logs, merged by their stamps; then, with {@code follow}, each new line as it is written, until
     * the client closes. Both happen on the loop, so no line falls between the two or comes twice.
     */
    public void logs(String app, int lines, boolean follow, Responder reply) throws IOException {
        List<String[]> last = new ArrayList<>();
        for (String stream : List.of("out", "err")) {
            Tail.lastLines(home.logFile(app, stream), lines).forEach(text -> last.add(new String[] {stream, text}));
        }
        last.sort((a, b) -> a[1].compareTo(b[1])); // the stamps sort as text: same width, UTC
        for (String[] line : last.subList(Math.max(0, last.size() - lines), last.size())) {
            reply.item("line", line(app, null, line[0], line[1]));
        }
        if (follow) {
            bus.subscribe(app, "log", "line", reply);
        } else {
            ObjectNode done = JsonNodeFactory.instance.objectNode();
            done.put("lines", Math.min(lines, last.size()));
            reply.ok(done);
        }
    }

    private RotatingLog log(String app, String stream, LogPolicy policy) throws IOException {
        Path file = home.logFile(app, stream);
        RotatingLog log = logs.get(file);
        if (log == null) {
            log = new RotatingLog(file, policy);
            logs.put(file, log);
        }
        return log;
    }

    private void write(Source source, List<byte[]> lines) throws IOException {
        for (byte[] line : lines) {
            source.log.append(line);
            if (bus.hasSubscribers()) {
                String text = new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
                ObjectNode event = bus.event("log", source.app, source.instance, 0);
                event.put("stream", source.stream);
                event.put("text", text);
                bus.publish(event);
            }
        }
    }

    private static void cancelFlush(Source source) {
        if (source.flush != null) {
            source.flush.cancel();
            source.flush = null;
        }
    }

    /** A {@code line} item of {@code logs}: which app and stream, and the stamped text. */
    static ObjectNode line(String app, Integer instance, String stream, String text) {
        ObjectNode line = JsonNodeFactory.instance.objectNode();
        line.put("app", app);
        if (instance == null) {
            line.putNull("instance");
        } else {
            line.put("instance", instance);
        }
        line.put("stream", stream);
        line.put("text", text);
        return line;
    }
}
