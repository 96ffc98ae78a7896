#!/usr/bin/env bash
# ./lvs4j bench checks: the health monitor at scale. SERVERS (10000) real servers, all TCP listeners of one peer
# process on 127.10.x.y, connect-checked every second by a director started with an ldirectord.cf; after a warm-up
# of WARMUP (10) seconds the director's CPU (user+system from /proc) is measured over SECONDS_PER_RUN (30), with its
# thread count, and the monitor reports its check latency percentiles (lvs:checks --stats).
#
# Target: under one core, and no platform thread per check. Raises the file limit (root) and uses loopback only;
# every process it starts is stopped by PID at the end, also on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LVS4J="${LVS4J:-$HERE/../lvs4j}"
JAVA="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}/bin/java"
SERVERS="${SERVERS:-10000}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-30}"
WARMUP="${WARMUP:-10}"
PORT=18500
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lvs4j-bench-checks.XXXXXX")"
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(( SERVERS + 1000 <= $(ulimit -n) )) || { echo "bench checks: needs a file limit above $((SERVERS + 1000)) (root raises it)" >&2; exit 2; }
"$LVS4J" build >/dev/null

"$JAVA" "$HERE/ChecksPeer.java" "$SERVERS" "$PORT" >"$WORK/peer.txt" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do grep -q listening "$WORK/peer.txt" && break; sleep 0.1; done
grep -q listening "$WORK/peer.txt" || { echo "the peer did not start: $(cat "$WORK/peer.txt")" >&2; exit 1; }

# One virtual service per 4096 servers (the longest range a real= line takes).
{
  echo "checktimeout=1"
  echo "checkinterval=1"
  echo "quiescent=yes"
  i=0; v=0
  while (( i < SERVERS )); do
    echo "virtual=127.7.200.$((v + 1)):$PORT"
    echo "        checktype=connect"
    echo "        scheduler=wlc"
    n=$(( SERVERS - i < 4096 ? SERVERS - i : 4096 ))
    from=$i; to=$(( i + n - 1 ))
    echo "        real=127.10.$((from >> 8)).$((from & 255))->127.10.$((to >> 8)).$((to & 255)):$PORT masq"
    i=$(( i + n )); v=$(( v + 1 ))
  done
} >"$WORK/ldirectord.cf"

LVS4J_JAVA_OPTS="${LVS4J_JAVA_OPTS:-}" "$LVS4J" run --state-dir "$WORK/state" --config "$WORK/ldirectord.cf" \
  --no-console --admin-port 0 </dev/null >"$WORK/director.txt" 2>&1 &
PIDS+=($!)
DIRECTOR=${PIDS[-1]}
for _ in $(seq 600); do [[ -S "$WORK/state/ctl.sock" ]] && break; sleep 0.1; done
ctl() { "$LVS4J" ctl --state-dir "$WORK/state" "$@"; }
sleep "$WARMUP"

ticks() { local f; f="$(cat "/proc/$DIRECTOR/stat")"; f="${f##*) }"; set -- $f; echo $(( ${12} + ${13} )); }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s%N)
sleep "$SECONDS_PER_RUN"
t1=$(ticks); s1=$(date +%s%N)
threads=$(awk '/^Threads:/ {print $2}' "/proc/$DIRECTOR/status")
stats="$(ctl checks --stats)"
up=$(ctl checks | awk 'NR > 1 && $5 == "up"' | wc -l)
cores=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) 'BEGIN { printf "%.2f", t / hz / (ns / 1e9) }')

echo "lvs4j bench checks: $(nproc) cores, $SERVERS real servers, connect checks every 1 s, ${SECONDS_PER_RUN} s measured"
echo "real servers up:     $up of $SERVERS"
echo "director CPU:        $cores cores"
echo "director threads:    $threads"
echo "$stats"
verdict=met
awk -v c="$cores" 'BEGIN { exit !(c < 1.0) }' || verdict="not met (CPU)"
(( threads < SERVERS / 10 )) || verdict="not met (threads)"
echo "target: under one core, no platform thread per check: $verdict"
