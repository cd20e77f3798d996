package ipclab.lab08;

import java.io.FileDescriptor;
import java.util.List;

/**
 * One message read from an {@link FdChannel}: the data bytes and the descriptors that came with
 * them, in the order the sender listed them. Each descriptor is a new entry in <em>our</em>
 * descriptor table, pointing at the sender's open file description; closing it is our job.
 */
public record Received(byte[] data, List<FileDescriptor> descriptors) {

    public Received {
        descriptors = List.copyOf(descriptors);
    }

    /** The data as UTF-8 text. */
    public String text() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }
}
