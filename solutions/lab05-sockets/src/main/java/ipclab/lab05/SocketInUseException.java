package ipclab.lab05;

import java.net.BindException;
import java.nio.file.Path;

/** A live server already listens on the path: binding there would steal its name, so we refuse. */
public final class SocketInUseException extends BindException {

    private final Path path;

    public SocketInUseException(Path path) {
        super("bind(" + path + ") refused: EADDRINUSE, and the socket file is live (connect(2) to it succeeds):"
                + " another server listens there; stop it or choose another path instead of removing its socket");
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
