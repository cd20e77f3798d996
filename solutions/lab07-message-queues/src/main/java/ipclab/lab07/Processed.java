package ipclab.lab07;

/**
 * What the consumer commits for one source message, in one document: the result <em>and</em> the
 * position it came from. Because both are in the same document, they are committed together or not
 * at all, and the last processed record always says where to go on.
 *
 * @param seq         the source message's sequence number
 * @param sourceIndex the Chronicle index of the source message (in the source queue)
 * @param result      {@link Journal#process} of the message's value
 */
public record Processed(long seq, long sourceIndex, long result) {
}
