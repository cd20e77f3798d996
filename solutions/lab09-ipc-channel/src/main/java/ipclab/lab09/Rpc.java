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
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, new Pending(method, result));
        ObjectNode request = Envelope.JSON.createObjectNode()
                .put("rpc", "call").put("id", id).put("method", method);
        request.set("params", params);
        try {
            channel.send(request);
        } catch (IOException e) {
            pending.remove(id);
            result.completeExceptionally(e);
            return result;
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (pending.remove(id) != null) {
                result.completeExceptionally(new TimeoutException("call \"" + method + "\" got no answer within "
                        + timeout.toMillis() + " ms: the other side's handler is slow or stuck, or nobody reads the channel"));
            }
        });
        return result;
    }

    private void onMessage(Message message) {
        JsonNode body = message.body();
        switch (body.path("rpc").asText("")) {
            case "call" -> {
                // Not on the reader thread: a handler that calls back would wait for an answer only the reader can deliver.
                Thread.ofVirtual().name("rpc " + body.path("method").asText()).start(() -> answer(body));
            }
            case "result", "error" -> complete(body);
            default -> {
                // Not an RPC message: another listener's business.
            }
        }
    }

    private void answer(JsonNode call) {
        long id = call.path("id").asLong();
        String method = call.path("method").asText();
        ObjectNode reply = Envelope.JSON.createObjectNode().put("id", id);
        Handler handler = handlers.get(method);
        if (handler == null) {
            reply.put("rpc", "error").put("message", "unknown method \"" + method + "\" (registered: " + handlers.keySet() + ")");
        } else {
            try {
                reply.put("rpc", "result").set("result", handler.handle(call.path("params")));
            } catch (Exception e) {
                reply.put("rpc", "error").put("message", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        try {
            channel.send(reply);
        } catch (IOException e) {
            // The channel closed while the handler ran: the caller learns it from its own disconnect.
        }
    }

    private void complete(JsonNode reply) {
        Pending call = pending.remove(reply.path("id").asLong());
        if (call == null) {
            return; // timed out already: the late answer has nobody waiting for it
        }
        if (reply.path("rpc").asText().equals("result")) {
            call.result().complete(reply.path("result"));
        } else {
            call.result().completeExceptionally(new RemoteCallException(call.method(), reply.path("message").asText()));
        }
    }

    private void failPending() {
        for (Long id : pending.keySet()) {
            Pending call = pending.remove(id);
            if (call != null) {
                call.result().completeExceptionally(new ChannelClosedException("call \"" + call.method()
                        + "\": the channel disconnected before the answer arrived"));
            }
        }
    }
}
