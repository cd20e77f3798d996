package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.loop.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Remote calls on top of a {@link Channel}, in both directions: each side {@link #register}s
 * methods and {@link #call}s the other's. A call is a message, its answer another message with the
 * same id, so several calls can be in flight at once and answers may come back in any order.
 * <pre>
 * {"rpc":"call","id":3,"method":"add","params":{...}}
 * {"rpc":"result","id":3,"result":...}        or        {"rpc":"error","id":3,"message":"..."}
 * </pre>
 * Everything runs on the channel's loop: handlers are called there, answers complete the callers'
 * futures there, timeouts are loop timers. A handler must therefore not block: one that has to wait
 * (for a call to the other side, say) is registered with {@link #registerAsync} and returns a stage.
 * Create the Rpc before {@link Channel#start()}, so that no call arrives before it listens.
 */
public final class Rpc {

    /** The timeout of {@link #call(String, JsonNode)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** A method the other side may call: params in, result out, on the loop and at once; an exception becomes the caller's error. */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(JsonNode params) throws Exception;
    }

    /** A call waiting for its answer, and the loop timer that fails it when none comes. */
    private record Pending(String method, CompletableFuture<JsonNode> result, Timer timeout) {
    }

    private final Channel channel;
    /** Registered from any thread, read on the loop. */
    private final Map<String, Function<JsonNode, CompletionStage<JsonNode>>> handlers = new ConcurrentHashMap<>();
    /** Calls in flight by id. Loop thread only. */
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Loop thread only. */
    private long nextId = 1;

    public Rpc(Channel channel) {
        this.channel = channel;
        channel.observe(this::onMessage); // an Rpc never takes a handle: alone, it lets the channel close them
        channel.onDisconnect(this::failPending);
    }

    /** Makes {@code method} callable by the other side; {@code handler} runs on the loop and must not block. */
    public Rpc register(String method, Handler handler) {
        return registerAsync(method, params -> {
            try {
                return CompletableFuture.completedFuture(handler.handle(params));
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /**
     * Makes {@code method} callable by the other side; {@code handler} runs on the loop, returns at
     * once, and completes its stage later, on any thread: the answer is sent then. A handler that
     * calls the other side back returns {@code call(...).thenApply(...)}: waiting for that answer
     * on the loop would wait for ever, since only the loop can read it.
     */
    public Rpc registerAsync(String method, Function<JsonNode, CompletionStage<JsonNode>> handler) {
        handlers.put(method, handler);
        return this;
    }

    /** {@link #call(String, JsonNode, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public CompletableFuture<JsonNode> call(String method, JsonNode params) {
        return call(method, params, DEFAULT_TIMEOUT);
    }

    /**
     * Calls {@code method} in the other process. From any thread; off the loop it costs a hop onto it.
     *
     * @return completes on the loop with the result; fails with {@link RemoteCallException} (the
     *         remote handler failed, or there is no such method), {@link TimeoutException} (no answer
     *         in time) or {@link ChannelClosedException} (the channel closed first)
     */
    public CompletableFuture<JsonNode> call(String method, JsonNode params, Duration timeout) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        try {
            channel.onLoop(() -> {
                long id = nextId++;
                ObjectNode request = Envelope.JSON.createObjectNode().put("rpc", "call").put("id", id).put("method", method);
                request.set("params", params);
                Timer timer = channel.loop().schedule(timeout, () -> {
                    if (pending.remove(id) != null) {
                        result.completeExceptionally(new TimeoutException("call \"" + method + "\" got no answer within "
                                + timeout.toMillis() + " ms: the other side's handler is slow or stuck, or nobody reads the channel"));
                    }
                });
                // Pending before the send: a channel that dies inside send fails what is pending then.
                pending.put(id, new Pending(method, result, timer));
                try {
                    channel.send(request);
                } catch (IOException e) {
                    pending.remove(id);
                    timer.cancel();
                    result.completeExceptionally(e);
                }
            });
        } catch (ChannelClosedException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    private void onMessage(Message message) {
        JsonNode body = message.body();
        switch (body.path("rpc").asText("")) {
            case "call" -> answer(body);
            case "result", "error" -> complete(body);
            default -> {
                // Not an RPC message: another listener's business.
            }
        }
    }

    /** Runs the handler on the loop; its stage, whenever and wherever it completes, sends the answer. */
    private void answer(JsonNode call) {
        long id = call.path("id").asLong();
        String method = call.path("method").asText();
        var handler = handlers.get(method);
        CompletionStage<JsonNode> outcome;
        if (handler == null) {
            outcome = CompletableFuture.failedFuture(new NoSuchMethodException("unknown method \"" + method
                    + "\" (registered: " + handlers.keySet() + ")"));
        } else {
            try {
                outcome = handler.apply(call.path("params"));
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            if (outcome == null) {
                outcome = CompletableFuture.failedFuture(new NullPointerException("the handler of \"" + method
                        + "\" returned null instead of a stage"));
            }
        }
        outcome.whenComplete((result, failure) -> reply(id, result, failure));
    }

    /** Sends the answer to call {@code id}: its result, or the failure's class and message. From any thread. */
    private void reply(long id, JsonNode result, Throwable failure) {
        ObjectNode reply = Envelope.JSON.createObjectNode().put("id", id);
        if (failure == null) {
            reply.put("rpc", "result").set("result", result);
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            reply.put("rpc", "error").put("message", cause.getClass().getSimpleName() + ": " + cause.getMessage());
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
        call.timeout().cancel();
        if (reply.path("rpc").asText().equals("result")) {
            call.result().complete(reply.path("result"));
        } else {
            call.result().completeExceptionally(new RemoteCallException(call.method(), reply.path("message").asText()));
        }
    }

    private void failPending() {
        for (Pending call : pending.values()) {
            call.timeout().cancel();
            call.result().completeExceptionally(new ChannelClosedException("call \"" + call.method()
                    + "\": the channel disconnected before the answer arrived"));
        }
        pending.clear();
    }
}
