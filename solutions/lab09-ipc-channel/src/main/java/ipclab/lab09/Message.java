package ipclab.lab09;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileDescriptor;
import java.util.Optional;

/**
 * One message as the receiver's listener gets it: the JSON body and, when the sender attached one,
 * the handle: a new descriptor in <em>our</em> table for the sender's open file description.
 * Closing the handle is the listener's job ({@link Descriptors#close(FileDescriptor)}, or wrap it
 * in a stream and close that). Every listener sees the same descriptor: when several listen, let
 * exactly one of them own (and close) handles. An {@link Rpc} never does; a channel with no
 * listener but an Rpc closes every handle it receives.
 */
public record Message(JsonNode body, Optional<FileDescriptor> handle) {
}
