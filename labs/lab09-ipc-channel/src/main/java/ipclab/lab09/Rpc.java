package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remote calls on top of a {@link Channel}, in both directions: each side {@link #register}s
 * methods and {@link #call}s the other's. A call is a message, its answer another message with the
 * same id, so several calls can be in flight at once and answers may come back in any order.
 * <pre>
 * {"rpc":"call","id":3,"method":"add","params":{...}}
 * {"rpc":"result","id":3,"result":...}        or        {"rpc":"error","id":3,"message":"..."}
 * </pre>
 * Create it before {@link Channel#start()}, so that no call arrives before it listens.
 */
public final class Rpc {

    /** The timeout of {@link #call(String, JsonNode)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** A method the other side may call: params in, result out; an exception becomes the caller's error. */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(JsonNode params) throws Exception;
    }

    private record Pending(String method, CompletableFuture<JsonNode> result) {
    }

    private final Channel channel;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    public Rpc(Channel channel) {
        this.channel = channel;
        channel.onMessage(this::onMessage);
        channel.onDisconnect(this::failPending);
    }

    /** Makes {@code method} callable by the other side. */
    public Rpc register(String method, Handler handler) {
        handlers.put(method, handler);
        return this;
    }

    /** {@link #call(String, JsonNode, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public CompletableFuture<JsonNode> call(String method, JsonNode params) {
        return call(method, params, DEFAULT_TIMEOUT);
    }

    /**
     * Calls {@code method} in the other process.
     *
     * @return completes with the result; fails with {@link RemoteCallException} (the remote handler
     *         threw, or there is no such method), {@link TimeoutException} (no answer in time) or
     *         {@link ChannelClosedException} (the channel closed first)
     */
    public CompletableFuture<JsonNode> call(String method, JsonNode params, Duration timeout) {
        throw new UnsupportedOperationException("TODO: remember the call under a new id, send {\"rpc\":\"call\",...} on the channel, schedule a TimeoutException naming the method and the time");
    }

    private void onMessage(Message message) {
        throw new UnsupportedOperationException("TODO: dispatch on \"rpc\": a call is answered on a thread of its own, a result or error completes the pending call");
    }

    private void answer(JsonNode call) {
        throw new UnsupportedOperationException("TODO: run the registered handler (unknown method: error) and send {\"rpc\":\"result\"} or {\"rpc\":\"error\"} with the call's id");
    }

    private void complete(JsonNode reply) {
        throw new UnsupportedOperationException("TODO: find the pending call by id: complete it with the result, or fail it with RemoteCallException");
    }

    private void failPending() {
        throw new UnsupportedOperationException("TODO: the channel is gone: fail every pending call with ChannelClosedException naming its method");
    }
}
