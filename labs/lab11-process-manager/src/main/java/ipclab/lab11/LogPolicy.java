package ipclab.lab11;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How large an app's log file may grow and how many rotated files are kept. pm2-logrotate has the
 * same two knobs ({@code max_size}, 10M by default, and {@code retain}, which keeps everything unless set).
 *
 * @param maxBytes a file is rotated before a line would take it beyond this size
 * @param keep     how many rotated files ({@code NAME-out.log.1} … {@code .keep}) survive; older ones are deleted
 */
public record LogPolicy(long maxBytes, int keep) {

    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_KEEP = 5;
    /** More files than this would make every rotation a long walk through the folder. */
    public static final int MAX_KEEP = 10_000;

    public static final LogPolicy DEFAULT = new LogPolicy(DEFAULT_MAX_BYTES, DEFAULT_KEEP);

    public LogPolicy {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("'log.maxBytes' must be at least 1, not " + maxBytes);
        }
        if (keep < 1 || keep > MAX_KEEP) {
            throw new IllegalArgumentException("'log.keep' must be 1–" + MAX_KEEP + ", not " + keep);
        }
    }

    /** From JSON: a field left out takes its default. */
    @JsonCreator
    static LogPolicy fromJson(@JsonProperty("maxBytes") Long maxBytes, @JsonProperty("keep") Integer keep) {
        return new LogPolicy(maxBytes == null ? DEFAULT_MAX_BYTES : maxBytes, keep == null ? DEFAULT_KEEP : keep);
    }
}
