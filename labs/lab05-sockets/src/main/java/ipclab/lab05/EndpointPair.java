package ipclab.lab05;

import java.io.Closeable;
import java.io.IOException;

/** Two connected endpoints: what {@code first} sends, {@code second} receives, and the other way round. */
public record EndpointPair(Endpoint first, Endpoint second) implements Closeable {

    /** Closes both ends, the second even when closing the first fails. */
    @Override
    public void close() throws IOException {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
