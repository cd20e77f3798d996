package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ipclab.support.ChildJvm;
import ipclab.support.bench.BenchOptions;
import ipclab.support.bench.RoundTripReport;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The channel between two JVMs: (1) a one-way stream of 100-byte JSON messages, acknowledged every
 * {@value #BATCH} messages (one "round trip" is a batch; messages per second printed too), and
 * RPC round trips with 100-byte params, (2) called from this thread, which hops onto the loop and
 * waits for the answer (two wake-ups more per call), and (3) called on the loop, each call made in
 * the callback of the one before, as a Node program makes them. One {@link RoundTripReport} line each.
 *
 * <pre>Benchmark [--round-trips N] [--warmup N]</pre>
 */
public final class Benchmark {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Messages per acknowledged batch of the one-way stream. */
    static final int BATCH = 100;

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        try (Forked forked = Channel.fork(ChildJvm.main(Responder.class), DEADLINE)) {
            Channel channel = forked.channel();
            Rpc rpc = new Rpc(channel);
            BlockingQueue<JsonNode> syncs = new LinkedBlockingQueue<>();
            channel.onMessage(m -> {
                if (m.body().has("synced")) {
                    syncs.add(m.body());
                }
            }).start();
            ObjectNode message = Envelope.JSON.createObjectNode().put("pad", "");
            message.put("pad", "x".repeat(100 - Envelope.JSON.writeValueAsBytes(message).length));

            BenchOptions batches = new BenchOptions(Math.max(1, options.roundTrips() / BATCH), options.warmup() / BATCH);
            RoundTripReport stream = new RoundTripReport("channel one-way, batch of " + BATCH, 100).measure(batches, i -> {
                for (int m = 0; m < BATCH; m++) {
                    channel.send(message);
                }
                channel.send(Envelope.JSON.createObjectNode().put("sync", i));
                JsonNode synced = syncs.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                if (synced == null || synced.path("synced").asInt() != i) {
                    throw new IOException("batch " + i + ": the responder did not confirm it (got " + synced + ")");
                }
            });
            System.out.println(stream);
            System.out.printf(Locale.ROOT, "%-28s %4d B %,12.0f messages/s (one-way, %d per acknowledged batch)%n",
                    "channel one-way", 100, stream.roundTripsPerSecond() * BATCH, BATCH);

            RoundTripReport calls = new RoundTripReport("channel RPC call", 100).measure(options, i -> {
                JsonNode result = rpc.call("echo", message).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                if (result.path("pad").asText().length() != message.path("pad").asText().length()) {
                    throw new IOException("call " + i + ": the echo differs from the params");
                }
            });
            System.out.println(calls);
            System.out.println(callsOnTheLoop(rpc, channel, message, options));

            channel.disconnect().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            int status = forked.child().waitFor(DEADLINE);
            if (status != Channel.CHANNEL_CLOSED_EXIT) {
                throw new IllegalStateException("the responder exited with status " + status + ", not " + Channel.CHANNEL_CLOSED_EXIT);
            }
        }
    }

    /** Chains {@code warmup + roundTrips} calls on the loop: each answer's callback records it and makes the next call. */
    private static RoundTripReport callsOnTheLoop(Rpc rpc, Channel channel, JsonNode message, BenchOptions options) throws Exception {
        RoundTripReport report = new RoundTripReport("channel RPC call, on the loop", 100);
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.loop().execute(() -> callOnTheLoop(rpc, message, report, options, 0, done));
        done.get(DEADLINE.toSeconds() + options.roundTrips() / 1_000, TimeUnit.SECONDS);
        return report;
    }

    private static void callOnTheLoop(Rpc rpc, JsonNode message, RoundTripReport report, BenchOptions options, int i,
                                      CompletableFuture<Void> done) {
        if (i == options.warmup()) {
            report.start();
        }
        if (i == options.warmup() + options.roundTrips()) {
            report.stop();
            done.complete(null);
            return;
        }
        long begin = System.nanoTime();
        rpc.call("echo", message).whenComplete((result, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            if (i >= options.warmup()) {
                report.record(System.nanoTime() - begin);
            }
            callOnTheLoop(rpc, message, report, options, i + 1, done); // on the loop: the answer completed the call there
        });
    }

    /** The other JVM: counts messages, confirms each batch, echoes calls; exits when the channel closes. */
    public static final class Responder {

        private Responder() {
        }

        public static void main(String[] args) throws Exception {
            Channel channel = Channel.fromEnvironment();
            AtomicLong received = new AtomicLong();
            new Rpc(channel).register("echo", params -> params);
            channel.onMessage(m -> {
                received.incrementAndGet();
                if (m.body().has("sync")) {
                    try {
                        channel.send(Envelope.JSON.createObjectNode().put("synced", m.body().path("sync").asInt()).put("received", received.get()));
                    } catch (IOException e) {
                        System.err.println("responder: " + e.getMessage());
                    }
                }
            });
            channel.start();
            channel.whenClosed().get();
        }
    }
}
