package ipclab.lab10;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code ./ipclab serve}: the seed program. A master on a TCP port with a worker per CPU; each
 * client gets {@code Request handled by worker-<pid>} after the delay, then EOF. Runs in the
 * foreground; SIGTERM or Ctrl-C stops it and every worker.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the cluster server: a master that forks workers and restarts them when they die.")
public final class Serve implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8989", description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--workers", description = "number of workers (default: one per CPU)")
    Integer workers;

    @Option(names = "--delay-ms", defaultValue = "10", description = "how long a worker waits before it answers (default: ${DEFAULT-VALUE})")
    long delayMs;

    @Option(names = "--sched", defaultValue = "rr", converter = SchedulingConverter.class,
            description = "rr, shared or reuseport (default: ${DEFAULT-VALUE})")
    Scheduling scheduling;

    static final class SchedulingConverter implements CommandLine.ITypeConverter<Scheduling> {
        @Override
        public Scheduling convert(String value) {
            return Scheduling.parse(value);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Serve()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ClusterOptions options = ClusterOptions.defaults()
                .withPort(port)
                .withDelay(Duration.ofMillis(delayMs))
                .withScheduling(scheduling);
        if (workers != null) {
            options = options.withWorkers(workers);
        }
        // SIGTERM (a service manager, kill) and SIGINT (Ctrl-C) stop the server gracefully: handled
        // here rather than in a shutdown hook, because shutdown hooks run all at once and ChildJvm's
        // own hook would SIGKILL the workers while we still let them finish (lab 06, graceful SIGTERM).
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        System.out.println("Master " + ProcessHandle.current().pid() + " is running");
        Cluster cluster = Cluster.start(options, ClusterEvents.printing(System.out));
        System.out.println("Listening on " + options.host() + ":" + cluster.port() + " (" + scheduling.cliName()
                + ", " + options.workers() + " workers, " + delayMs + " ms)");
        stop.await();
        System.out.println("[Master] stopping: each worker finishes its open connections and exits");
        cluster.close();
        return 0;
    }
}
