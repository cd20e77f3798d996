package ipclab.lab09;

import ipclab.support.ChildProcess;

/** A child JVM and our end of its channel, as {@link Channel#fork} returns them. Close: channel first, then the child. */
public record Forked(ChildProcess child, Channel channel) implements AutoCloseable {

    @Override
    public void close() {
        try {
            channel.close();
        } finally {
            child.close();
        }
    }
}
