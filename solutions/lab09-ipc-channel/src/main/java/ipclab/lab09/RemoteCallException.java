package ipclab.lab09;

/** The other process answered a call with an error: its handler threw, or it has no such method. */
public final class RemoteCallException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final String remoteMessage;

    public RemoteCallException(String method, String remoteMessage) {
        super("call \"" + method + "\" failed in the other process: " + remoteMessage);
        this.method = method;
        this.remoteMessage = remoteMessage;
    }

    public String method() {
        return method;
    }

    /** The error text exactly as the other process sent it. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
