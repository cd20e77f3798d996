package ipclab.support.bench;

import java.time.Duration;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Records round-trip times and prints them the way every ipc-lab benchmark does: the same
 * method as the public ipc-bench suite (ping-pong of fixed-size messages between two processes),
 * percentiles from HdrHistogram, and round trips per second over the timed part of the run.
 */
public final class RoundTripReport {

    private final String mechanism;
    private final int messageSize;
    private final Histogram nanos = new Histogram(Duration.ofSeconds(10).toNanos(), 3);
    private long started;
    private long elapsed;

    public RoundTripReport(String mechanism, int messageSize) {
        this.mechanism = mechanism;
        this.messageSize = messageSize;
    }

    /** One round trip; its number lets it check that the reply belongs to this request. */
    @FunctionalInterface
    public interface RoundTrip {
        void run(int number) throws Exception;
    }

    /**
     * The whole measurement: {@code options.warmup()} untimed round trips, then
     * {@code options.roundTrips()} timed ones, each recorded.
     */
    public RoundTripReport measure(BenchOptions options, RoundTrip roundTrip) throws Exception {
        for (int i = 0; i < options.warmup(); i++) {
            roundTrip.run(i);
        }
        start();
        for (int i = 0; i < options.roundTrips(); i++) {
            long begin = System.nanoTime();
            roundTrip.run(options.warmup() + i);
            record(System.nanoTime() - begin);
        }
        stop();
        return this;
    }

    /** Marks the start of the timed (post-warm-up) part of the run. */
    public void start() {
        started = System.nanoTime();
    }

    /** Records one round trip that took {@code roundTripNanos}. */
    public void record(long roundTripNanos) {
        nanos.recordValue(Math.min(roundTripNanos, nanos.getHighestTrackableValue()));
    }

    /** Marks the end of the timed part. */
    public void stop() {
        elapsed = System.nanoTime() - started;
    }

    public long count() {
        return nanos.getTotalCount();
    }

    public double percentileMicros(double percentile) {
        return nanos.getValueAtPercentile(percentile) / 1_000.0;
    }

    public double roundTripsPerSecond() {
        return elapsed == 0 ? 0 : nanos.getTotalCount() * 1e9 / elapsed;
    }

    /** One line, e.g. {@code pipe  100 B  100000 round trips  p50 9.8 µs  p99 21.0 µs  p99.9 40.1 µs  max 1.2 ms  95,123 rt/s}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "%-28s %4d B %8d round trips   p50 %7.1f µs   p99 %7.1f µs   p99.9 %8.1f µs   max %9.1f µs   %,10.0f round trips/s",
                mechanism, messageSize, count(), percentileMicros(50), percentileMicros(99), percentileMicros(99.9),
                nanos.getMaxValue() / 1_000.0, roundTripsPerSecond());
    }
}
