#!/usr/bin/env bash
# Lab 10's cluster server against the Node seed program, in one sitting: the two servers take
# turns (Node, Java, Node, Java, ...) under the same C load client, so a machine that gets busier
# or quieter during the sitting shows in both columns alike. Compare the ratios, not the figures
# of another day.
#
#   docs/bench/versus_node.sh                      # rr and shared at 0 ms and 10 ms, 3 rounds each
#   MODES="rr" DELAYS=0 ROUNDS=5 docs/bench/versus_node.sh
#   CLIENT_CPU=1 docs/bench/versus_node.sh         # the client pinned to CPU 1 (taskset)
#   SERVERS=java docs/bench/versus_node.sh         # this tree's server alone (run it in an older
#                                                  # checkout too, to compare two versions in one sitting)
#
# Each line is one measured run: the server, the mode, the delay, then conn_load's output. For the
# Java server it adds the wake-ups per connection: voluntary context switches summed over every
# thread of the master, and of each worker, during the run, divided by the connections answered.
# reuseport has no Node counterpart (Node's cluster cannot share a port that way) and runs alone.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVERS=${SERVERS:-"node java"}
MODES=${MODES:-"rr shared reuseport"}
DELAYS=${DELAYS:-"0 10"}
ROUNDS=${ROUNDS:-3}
CONCURRENCY=${CONCURRENCY:-64}
SECONDS_MEASURED=${SECONDS_MEASURED:-5}
# Load before each measured run. The JVMs need about 20 s of it on 2 vCPUs: until C2 has compiled the
# master's hot path, the master is the bottleneck. Node gets the same, so the two are compared warm.
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
WORKERS=${WORKERS:-2}
PORT=${PORT:-8989}
EXPECTED="Request handled by worker-"

scratch=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=""
}
trap 'stop_server; rm -rf "$scratch"' EXIT

cc -O2 -o "$scratch/conn_load" "$ROOT/docs/bench/conn_load.c"
"$ROOT/ipclab" serve --help >/dev/null 2>&1 || { echo "lab 10 does not build: ./ipclab serve --help says why" >&2; exit 1; }
load() {
  local seconds="$1"
  if [ -n "${CLIENT_CPU:-}" ]; then
    taskset -c "$CLIENT_CPU" "$scratch/conn_load" 127.0.0.1 "$PORT" "$CONCURRENCY" "$seconds" "$EXPECTED"
  else
    "$scratch/conn_load" 127.0.0.1 "$PORT" "$CONCURRENCY" "$seconds" "$EXPECTED"
  fi
}

# Ready when every worker has answered once: a server whose workers are still starting would
# otherwise be measured with fewer workers than it has.
wait_until_serving() {
  local tries
  for tries in $(seq 1 300); do
    if ! kill -0 "$server" 2>/dev/null; then echo "the server exited:" >&2; cat "$scratch/server.log" >&2; exit 1; fi
    # Probe only once something listens: against a closed port the client would spin on refusals.
    if [ -z "$(ss -Hltn "sport = :$PORT")" ]; then sleep 0.2; continue; fi
    if "$scratch/conn_load" 127.0.0.1 "$PORT" 4 0.2 "$EXPECTED" 2>/dev/null | grep -q "workers=$WORKERS "; then return; fi
  done
  echo "the server did not answer from $WORKERS workers within a minute:" >&2; cat "$scratch/server.log" >&2
  exit 1
}

voluntary_switches() { # all threads of one process
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
}

measure() { # $1 = label; the server is running and warm
  local label="$1" pids=() before=() p i out ok
  if [ "${label%% *}" = java ]; then pids=("$server" $(pgrep -P "$server" || true)); fi
  for p in "${pids[@]}"; do before+=("$(voluntary_switches "$p")"); done
  out=$(load "$SECONDS_MEASURED")
  ok=$(sed -E 's/^ok=([0-9]+).*/\1/' <<<"$out")
  local wakeups=""
  for i in "${!pids[@]}"; do
    local role=worker; [ "$i" = 0 ] && role=master
    wakeups+=" $role=$(awk -v a="${before[$i]}" -v b="$(voluntary_switches "${pids[$i]}")" -v n="$ok" \
      'BEGIN { printf "%.2f", n ? (b - a) / n : 0 }')"
  done
  printf '%-28s %s%s\n' "$label" "$out" "${wakeups:+  wake-ups/conn:$wakeups}"
}

run_node() { # $1 = mode, $2 = delay
  PORT=$PORT WORKERS=$WORKERS DELAY_MS=$2 SCHED=$1 node "$ROOT/docs/bench/cluster_seed.js" >"$scratch/server.log" 2>&1 &
  server=$!
  wait_until_serving
  load "$WARMUP_SECONDS" >/dev/null
  measure "node $1 ${2}ms"
  stop_server
}

run_java() { # $1 = mode, $2 = delay
  "$ROOT/ipclab" serve --port "$PORT" --workers "$WORKERS" --delay-ms "$2" --sched "$1" >"$scratch/server.log" 2>&1 &
  server=$!
  wait_until_serving
  load "$WARMUP_SECONDS" >/dev/null
  measure "java $1 ${2}ms"
  stop_server
}

echo "# $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version)," \
     "$CONCURRENCY connections, $WORKERS workers, ${WARMUP_SECONDS} s warm-up, ${SECONDS_MEASURED} s per run${CLIENT_CPU:+, client on CPU $CLIENT_CPU}"
for delay in $DELAYS; do
  for mode in $MODES; do
    for round in $(seq 1 "$ROUNDS"); do
      if [[ " $SERVERS " == *" node "* && "$mode" != reuseport ]]; then run_node "$mode" "$delay"; fi
      if [[ " $SERVERS " == *" java "* ]]; then run_java "$mode" "$delay"; fi
    done
  done
done
echo "# end, load $(cut -d' ' -f1-3 /proc/loadavg)"
