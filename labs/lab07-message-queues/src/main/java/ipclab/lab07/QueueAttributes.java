package ipclab.lab07;

/**
 * What mq_getattr(3) reports about a queue (struct mq_attr).
 *
 * @param flags           0 or O_NONBLOCK: a property of this descriptor's open file description, not of the queue
 * @param maxMessages     mq_maxmsg: how many messages the queue holds before mq_send blocks (or fails with EAGAIN)
 * @param messageSize     mq_msgsize: the largest message; a receive buffer must be at least this big
 * @param currentMessages mq_curmsgs: how many messages are in the queue right now
 */
public record QueueAttributes(long flags, long maxMessages, long messageSize, long currentMessages) {
}
