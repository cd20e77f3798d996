package ipclab.lab06;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A process whose event loop takes signals as events, through {@link SignalEvents}: it prints
 * {@code ready PID}, then {@code event SIGHUP} (and so on) for each signal the loop sees, and
 * {@code bye} when SIGTERM comes, after which it closes the events and exits 0.
 *
 * <pre>SignalLoop [SIGNAL...]    e.g. SignalLoop HUP INT USR1 TERM  (TERM is always handled)</pre>
 */
public final class SignalLoop {

    private SignalLoop() {
    }

    public static void main(String[] args) throws Exception {
        SignalName[] handled = Arrays.stream(args.length == 0 ? new String[] {"HUP", "INT", "USR1", "TERM"} : args)
                .map(SignalName::valueOf).toArray(SignalName[]::new);
        if (Arrays.stream(handled).noneMatch(s -> s == SignalName.TERM)) {
            handled = Arrays.copyOf(handled, handled.length + 1);
            handled[handled.length - 1] = SignalName.TERM;
        }
        Dispositions.stopIgnoring(handled); // in case we were started with some ignored (nohup, cmd &)
        try (SignalEvents events = SignalEvents.open(handled)) {
            System.out.println("ready " + ProcessHandle.current().pid());
            System.out.flush();
            while (true) {
                // The timeout is where a real loop would also do its other work: timers, sockets...
                Optional<SignalName> signal = events.next(Duration.ofSeconds(1));
                if (signal.isEmpty()) {
                    continue;
                }
                System.out.println("event " + signal.get().symbol());
                System.out.flush();
                if (signal.get() == SignalName.TERM) {
                    break;
                }
            }
        }
        System.out.println("bye");
        System.out.flush();
    }
}
