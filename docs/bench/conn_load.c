/*
 * A closed-loop load client in C for the seed workload of lab 10: connect, read the answer until
 * the server closes, close; then connect again at once. CONCURRENCY connections are in flight at
 * any moment, all driven by one thread on epoll, so the client costs as little CPU as it can and
 * the same for every server it is pointed at (the Node seed program or ./ipclab serve).
 *
 *   cc -O2 -o conn_load conn_load.c
 *   ./conn_load 127.0.0.1 8989 64 5 "Request handled by worker-"
 *
 * Prints one line:
 *   ok=N err=N rate=N/s p50_us=N p99_us=N p999_us=N workers=N shares=A%/B%/...
 * "err" counts connections refused or reset and answers that do not start with the expected
 * prefix; "workers" counts the distinct answers seen, "shares" how the answers were spread.
 * Latency is from connect(2) to the server's EOF, for every connection answered as expected.
 *
 * At the end it starts no new connection and waits (up to 5 s) for the ones in flight to be
 * answered, so the server sees only orderly closes: a client that exits with connections open
 * makes the kernel reset them, and a server without an error handler on its sockets (the Node
 * seed program) loses a worker to each reset, which the next run would measure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ANSWER_MAX = 200, DISTINCT_MAX = 64 };

struct connection {
    int fd;
    long started_ns;
    int length;
    char answer[ANSWER_MAX];
};

static struct sockaddr_in server;
static int epoll_fd;
static const char *expected = "";

static long *latencies;
static long latency_count, latency_capacity;
static long failures, answered;
static int draining, open_connections;

static char distinct[DISTINCT_MAX][ANSWER_MAX];
static long answered_by[DISTINCT_MAX];
static int distinct_count;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* A non-blocking connect: loopback usually completes it at once; epoll reports the rest. */
static void open_connection(struct connection *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) { perror("socket"); exit(1); }
    c->length = 0;
    c->started_ns = now_ns();
    if (connect(c->fd, (struct sockaddr *) &server, sizeof server) < 0 && errno != EINPROGRESS) {
        perror("connect");
        exit(1);
    }
    struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) < 0) { perror("epoll_ctl"); exit(1); }
    open_connections++;
}

/* Returns whether the answer is the expected one, and counts who gave it. */
static int count_answer(const struct connection *c) {
    if (strncmp(c->answer, expected, strlen(expected)) != 0) { failures++; return 0; }
    answered++;
    for (int i = 0; i < distinct_count; i++) {
        if (strcmp(distinct[i], c->answer) == 0) { answered_by[i]++; return 1; }
    }
    if (distinct_count < DISTINCT_MAX) {
        strcpy(distinct[distinct_count], c->answer);
        answered_by[distinct_count++] = 1;
    }
    return 1;
}

static void record_latency(long ns) {
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 1 << 16;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
        if (!latencies) { perror("realloc"); exit(1); }
    }
    latencies[latency_count++] = ns;
}

/* Reads what is there; on EOF or an error the connection is done and a new one starts. */
static void on_ready(struct connection *c) {
    for (;;) {
        ssize_t n = read(c->fd, c->answer + c->length, ANSWER_MAX - 1 - c->length);
        if (n > 0) { c->length += n; if (c->length < ANSWER_MAX - 1) continue; }
        if (n < 0 && errno == EAGAIN) return;
        if (draining) {
            /* past the measured interval: close what ends, count nothing */
        } else if (n < 0) {
            failures++;               /* ECONNREFUSED, ECONNRESET: the server dropped it */
        } else {
            c->answer[c->length] = '\0';
            if (count_answer(c)) record_latency(now_ns() - c->started_ns);
        }
        close(c->fd);                 /* close(2) also takes the fd out of the epoll set */
        open_connections--;
        if (!draining) open_connection(c);
        return;
    }
}

static long percentile(double p) {
    if (latency_count == 0) return 0;
    long index = (long) (p * (latency_count - 1) + 0.5);
    return latencies[index] / 1000;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s HOST PORT CONCURRENCY SECONDS [EXPECTED_PREFIX]\n", argv[0]);
        return 2;
    }
    server.sin_family = AF_INET;
    server.sin_port = htons(atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) { fprintf(stderr, "bad host %s\n", argv[1]); return 2; }
    int concurrency = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (argc > 5) expected = argv[5];

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct connection *connections = calloc(concurrency, sizeof *connections);
    for (int i = 0; i < concurrency; i++) open_connection(&connections[i]);

    struct epoll_event events[256];
    long started = now_ns(), deadline = started + (long) (seconds * 1e9);
    while (now_ns() < deadline) {
        int ready = epoll_wait(epoll_fd, events, 256, 100);
        for (int i = 0; i < ready; i++) on_ready(events[i].data.ptr);
    }
    double elapsed = (now_ns() - started) / 1e9;
    draining = 1;
    long drain_deadline = now_ns() + 5000000000L;
    while (open_connections > 0 && now_ns() < drain_deadline) {
        int ready = epoll_wait(epoll_fd, events, 256, 100);
        for (int i = 0; i < ready; i++) on_ready(events[i].data.ptr);
    }

    qsort(latencies, latency_count, sizeof *latencies, by_value);
    printf("ok=%ld err=%ld rate=%.0f/s p50_us=%ld p99_us=%ld p999_us=%ld workers=%d shares=",
           answered, failures, answered / elapsed,
           percentile(0.50), percentile(0.99), percentile(0.999), distinct_count);
    for (int i = 0; i < distinct_count; i++) {
        printf("%s%.1f%%", i ? "/" : "", answered ? 100.0 * answered_by[i] / answered : 0.0);
    }
    printf("\n");
    return 0;
}
