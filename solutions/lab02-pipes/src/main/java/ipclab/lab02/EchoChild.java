package ipclab.lab02;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The child end of a {@link MessageChannel}: reads frames from stdin and writes each one back,
 * unchanged, to stdout. Exits with status 0 when stdin ends cleanly between frames (the parent
 * closed its end: it is done), and with status 2 when the stream is not well framed.
 */
public final class EchoChild {

    /** The exit status for a stream that is not well framed. */
    public static final int BAD_FRAME_EXIT = 2;

    private EchoChild() {
    }

    public static void main(String[] args) throws IOException {
        // The raw descriptors, not System.in/System.out: System.out is a PrintStream, which swallows
        // write errors, and nothing but frames may ever reach this stdout.
        InputStream in = new BufferedInputStream(new FileInputStream(FileDescriptor.in));
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
        try {
            byte[] message;
            while ((message = FrameCodec.read(in)) != null) {
                FrameCodec.write(out, message);
                out.flush(); // the parent is waiting for this reply; it must not sit in our buffer
            }
        } catch (FrameException e) {
            System.err.println("EchoChild: " + e.getMessage());
            System.exit(BAD_FRAME_EXIT);
        }
        out.flush();
    }
}
