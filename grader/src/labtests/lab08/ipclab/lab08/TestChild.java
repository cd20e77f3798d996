package ipclab.lab08;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * The other process of the lab 08 tests: {@code TestChild MODE CONTROL-NAME [ARGS]}. It connects to
 * the test over an {@link FdChannel} and uses the lab's code to receive and use descriptors. Results
 * go to stdout a line at a time; errors go to stderr, exit status 1.
 */
public final class TestChild {

    private TestChild() {
    }

    public static void main(String[] args) throws Exception {
        long pid = ProcessHandle.current().pid();
        try (FdChannel channel = FdChannel.connect(args[1])) {
            switch (args[0]) {
                case "read-file" -> {  // report the received fd's number, wait for "go", read the rest of the file
                    Received message = channel.receive(64);
                    FileDescriptor fd = single(message);
                    say("fd " + Descriptors.number(fd));
                    waitForGo();
                    try (FileInputStream in = new FileInputStream(fd)) {
                        say("read " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
                case "read-many" -> {  // every file of one message, in order
                    Received message = channel.receive(64);
                    say("got " + message.descriptors().size() + " " + message.text());
                    for (FileDescriptor fd : message.descriptors()) {
                        try (FileInputStream in = new FileInputStream(fd)) {
                            say("file " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
                case "talk" -> {  // a connected socket: read a line from it, answer with our pid
                    try (AFUNIXSocketChannel socket = Handles.asSocket(single(channel.receive(64)))) {
                        String line = readLine(socket);
                        write(socket, "pong from " + pid + " to " + line + "\n");
                    }
                }
                case "accept" -> {  // a listening socket: say ready, accept one client, greet it with our pid
                    try (AFUNIXServerSocketChannel listener = Handles.asListener(single(channel.receive(64)))) {
                        say("ready");
                        try (AFUNIXSocketChannel client = listener.accept()) {
                            write(client, "accepted by " + pid + "\n");
                        }
                    }
                }
                case "send-devnull" -> {  // send N descriptors of /dev/null in one message, then close ours
                    int count = Integer.parseInt(args[2]);
                    List<FileInputStream> files = new ArrayList<>();
                    try {
                        for (int i = 0; i < count; i++) {
                            files.add(new FileInputStream("/dev/null"));
                        }
                        FileDescriptor[] fds = new FileDescriptor[count];
                        for (int i = 0; i < count; i++) {
                            fds[i] = files.get(i).getFD();
                        }
                        // Sent with junixsocket directly, so this step's grade depends only on the receiving side.
                        channel.channel().setOutboundFileDescriptors(fds);
                        channel.channel().write(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
                    } finally {
                        for (FileInputStream f : files) {
                            f.close();
                        }
                    }
                    say("sent");
                    waitForGo();
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }

    private static FileDescriptor single(Received message) throws IOException {
        if (message.descriptors().size() != 1) {
            throw new IOException("expected one descriptor with the message, got " + message.descriptors().size());
        }
        return message.descriptors().getFirst();
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void waitForGo() throws IOException {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    private static void write(AFUNIXSocketChannel socket, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    private static String readLine(AFUNIXSocketChannel socket) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (socket.read(one) < 0) {
                return line.toString();
            }
            char c = (char) one.get(0);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
    }
}
