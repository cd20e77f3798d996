package ipclab.lab11;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's events, sent to every client that asked with {@code subscribe}: pm2's {@code pub.sock}
 * ({@code Daemon.js} 105–127), here on the same control socket, each event one datagram
 * {@code {"id":…,"event":{…}}} of the subscriber's stream. A subscription ends when its connection
 * closes. Every event has {@code type}, {@code app}, {@code instance}, {@code pid} and {@code t},
 * the daemon's monotonic clock in milliseconds ({@link System#nanoTime()}: gaps between events are
 * true durations); the rest depends on the type (the handout's step 5). Used on the
 * loop thread only. Given code.
 */
public final class EventBus {

    /**
     * One client's subscription.
     *
     * @param app   the app it follows, or {@code null} for all
     * @param type  the one type of event it wants ({@code log} for {@code logs --follow}), or {@code null} for all
     * @param field the name its items carry the event under: {@code event}, or {@code line}
     */
    private record Subscriber(String app, String type, String field, Responder reply) {
    }

    private final List<Subscriber> subscribers = new ArrayList<>();

    /** From now on, {@code reply} gets the events of {@code app}, or of every app when it is {@code null}. */
    public void subscribe(String app, Responder reply) {
        subscribe(app, null, "event", reply);
    }

    /**
     * From now on, {@code reply} gets the events of {@code type} only (every type when {@code null}),
     * each as {@code {"id":…,field:{…}}}.
     */
    public void subscribe(String app, String type, String field, Responder reply) {
        Subscriber subscriber = new Subscriber(app, type, field, reply);
        subscribers.add(subscriber);
        reply.connection().onClose(() -> subscribers.remove(subscriber));
    }

    /** Whether anyone listens: a producer of costly events (lab 12's stats) can skip the work. */
    public boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    /**
     * A new event of {@code type} about one process, to be completed with its own fields and then
     * {@link #publish}ed.
     *
     * @param instance cluster mode: the worker slot; {@code null} in fork mode
     * @param pid      the process it is about, 0 when there is none (an app waiting to restart)
     */
    public ObjectNode event(String type, String app, Integer instance, long pid) {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", type);
        event.put("app", app);
        if (instance == null) {
            event.putNull("instance");
        } else {
            event.put("instance", instance);
        }
        event.put("pid", pid);
        event.put("t", System.nanoTime() / 1_000_000);
        return event;
    }

    /** Sends {@code event} to every subscriber of its app, in the order of subscription. */
    public void publish(ObjectNode event) {
        String app = event.path("app").asText();
        String type = event.path("type").asText();
        for (Subscriber subscriber : List.copyOf(subscribers)) {
            if ((subscriber.app() == null || subscriber.app().equals(app)) && (subscriber.type() == null || subscriber.type().equals(type))) {
                subscriber.reply().item(subscriber.field(), event);
            }
        }
    }
}
