package ipclab.lab11;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson mapper of the process manager: app specs, requests and replies, {@code dump.json}. */
public final class Json {

    /**
     * Deeper JSON than this is refused while it is read. Nothing the process manager exchanges is
     * more than a few levels deep, and a request is read by the daemon, which must not let a
     * stranger's {@code [[[[…]]]]} exhaust its stack.
     */
    public static final int MAX_NESTING = 32;

    /** Thread-safe once built, as Jackson documents; unknown fields are refused (Jackson's default). */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .build())
            .build();

    private Json() {
    }
}
