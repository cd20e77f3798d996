/*
 * The C baseline for lab 02's benchmark: 100-byte ping-pong over a pair of pipes between a
 * parent and a forked child, timed per round trip, the method of the public ipc-bench suite.
 *
 *   cc -O2 -o pipe_pingpong pipe_pingpong.c && ./pipe_pingpong [round-trips]
 *   taskset -c 0 ./pipe_pingpong      # both processes on one CPU
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MESSAGE = 100, WARMUP = 10000 };

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* Reads exactly MESSAGE bytes; 0 at end of file. */
static int read_message(int fd, char *buf) {
    int got = 0;
    while (got < MESSAGE) {
        ssize_t n = read(fd, buf + got, MESSAGE - got);
        if (n <= 0) return 0;
        got += (int) n;
    }
    return 1;
}

int main(int argc, char **argv) {
    int round_trips = argc > 1 ? atoi(argv[1]) : 100000;
    int ping[2], pong[2];
    char buf[MESSAGE] = {0};
    if (pipe(ping) < 0 || pipe(pong) < 0) { perror("pipe"); return 1; }

    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        /* Close the ends this side does not use, or the parent's close never becomes our EOF. */
        close(ping[1]);
        close(pong[0]);
        while (read_message(ping[0], buf)) {
            if (write(pong[1], buf, MESSAGE) != MESSAGE) _exit(1);
        }
        _exit(0);
    }
    close(ping[0]);
    close(pong[1]);

    long *rtt = malloc(sizeof(long) * (size_t) round_trips);
    for (int i = 0; i < WARMUP + round_trips; i++) {
        long start = now_ns();
        if (write(ping[1], buf, MESSAGE) != MESSAGE || !read_message(pong[0], buf)) { perror("ping"); return 1; }
        if (i >= WARMUP) rtt[i - WARMUP] = now_ns() - start;
    }
    close(ping[1]); /* end of file for the child */
    waitpid(child, NULL, 0);

    long total = 0;
    for (int i = 0; i < round_trips; i++) total += rtt[i];
    qsort(rtt, (size_t) round_trips, sizeof(long), by_value);
    printf("C pipe, 2 processes  %d B  %d round trips  p50 %.1f us  p99 %.1f us  p99.9 %.1f us  %.0f round trips/s\n",
           MESSAGE, round_trips, rtt[round_trips / 2] / 1e3, rtt[(long) round_trips * 99 / 100] / 1e3,
           rtt[(long) round_trips * 999 / 1000] / 1e3, round_trips * 1e9 / (double) total);
    free(rtt);
    return 0;
}
