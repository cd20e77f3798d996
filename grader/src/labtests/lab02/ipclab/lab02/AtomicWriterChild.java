package ipclab.lab02;

import java.util.Arrays;

/**
 * A writer for the PIPE_BUF test, run as a child JVM whose stdout (fd 1) is the shared pipe.
 * It waits for one byte on stdin (so that all writers start together), then writes
 * {@code count} records of PIPE_BUF bytes, each filled with its {@code id}, with your writeRecord.
 *
 * <pre>AtomicWriterChild ID COUNT</pre>
 */
public final class AtomicWriterChild {

    private AtomicWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        byte id = Byte.parseByte(args[0]);
        int count = Integer.parseInt(args[1]);
        byte[] record = new byte[ipclab.support.Libc.PIPE_BUF];
        Arrays.fill(record, id);
        if (System.in.read() < 0) {
            return; // the test gave up before the start
        }
        for (int i = 0; i < count; i++) {
            PipeIo.writeRecord(1, record);
        }
    }
}
