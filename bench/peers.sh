#!/usr/bin/env bash
# ./lvs4j bench peers: lvs4j's socket engine beside HAProxy (TCP mode) and nginx stream, over two nginx backends.
#
# Each balancer proxies TCP to the same two backends with round robin. wrk (one thread, 50 connections) drives
# HTTP requests with keep-alive and with "Connection: close". wrk and the backends are pinned to core 0, the balancer
# under test to core 1. Per mode: a 5 s warm-up per balancer, then 3 rounds of 10 s, the balancers interleaved within
# each round. Reported: the median requests/s and the balancer's CPU time per request (user+system of its processes,
# from /proc), each also as a ratio to HAProxy's.
#
# Needs root for apt (haproxy, nginx, libnginx-mod-stream, wrk are installed if missing) and uses loopback ports
# 18091-18102 only. Every process it starts is stopped by PID at the end, also on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LVS4J="${LVS4J:-$HERE/../lvs4j}"
ROUNDS="${ROUNDS:-3}"
SECONDS_PER_ROUND="${SECONDS_PER_ROUND:-10}"
WARMUP="${WARMUP:-5}"
CONNECTIONS="${CONNECTIONS:-50}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lvs4j-bench.XXXXXX")"
PIDS=()

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

need() {
  local missing=() p
  for p in haproxy nginx wrk taskset; do command -v "$p" >/dev/null || missing+=("$p"); done
  [[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
  [[ ${#missing[@]} -eq 0 ]] && return
  [[ $(id -u) -eq 0 ]] || { echo "bench peers needs: ${missing[*]} (apt-get install haproxy nginx libnginx-mod-stream wrk)" >&2; exit 2; }
  local had=0; [[ -e /usr/sbin/policy-rc.d ]] && had=1
  [[ $had -eq 1 ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy nginx libnginx-mod-stream wrk >/dev/null
  [[ $had -eq 1 ]] || rm -f /usr/sbin/policy-rc.d
}

cpu_ticks() { # user+system ticks of the given pids
  local t=0 p f
  for p in "$@"; do
    f="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    f="${f##*) }"                                   # fields after "pid (comm) "
    set -- $f
    t=$((t + ${12} + ${13}))                        # utime and stime are fields 14 and 15
  done
  echo "$t"
}

children() { pgrep -P "$1" | tr '\n' ' '; }

wait_port() {
  for _ in $(seq 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on 127.0.0.1:$1" >&2; exit 1
}

need
ulimit -n 65536 2>/dev/null || true
mkdir -p "$WORK"/{nginx-backends,nginx-stream,haproxy,lvs4j}

# Two nginx backends (one process each), on core 0 with wrk.
cat >"$WORK/nginx-backends/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx-backends/nginx.pid;
error_log $WORK/nginx-backends/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-backends; proxy_temp_path $WORK/nginx-backends;
  fastcgi_temp_path $WORK/nginx-backends; uwsgi_temp_path $WORK/nginx-backends; scgi_temp_path $WORK/nginx-backends;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18091; location / { return 200 "backend-1\n"; } }
  server { listen 127.0.0.1:18092; location / { return 200 "backend-2\n"; } }
}
CONF
taskset -c 0 nginx -c "$WORK/nginx-backends/nginx.conf" -p "$WORK/nginx-backends" &
PIDS+=($!)

# HAProxy in TCP mode, one thread.
cat >"$WORK/haproxy/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend f
  bind 127.0.0.1:18100
  default_backend b
backend b
  balance roundrobin
  server s1 127.0.0.1:18091
  server s2 127.0.0.1:18092
CONF
taskset -c 1 haproxy -db -f "$WORK/haproxy/haproxy.cfg" &
PIDS+=($!)
HAPROXY_PID=$!

# nginx stream, one worker.
cat >"$WORK/nginx-stream/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $WORK/nginx-stream/nginx.pid;
error_log $WORK/nginx-stream/error.log warn;
events { worker_connections 20000; }
stream {
  upstream b { server 127.0.0.1:18091; server 127.0.0.1:18092; }
  server { listen 127.0.0.1:18101; proxy_pass b; }
}
CONF
taskset -c 1 nginx -c "$WORK/nginx-stream/nginx.conf" -p "$WORK/nginx-stream" &
PIDS+=($!)
NGINX_PID=$!

# lvs4j: the socket engine with one event loop.
LVS4J_JAVA_OPTS="-Dlvs4j.netty.threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" \
  taskset -c 1 "$LVS4J" run --state-dir "$WORK/lvs4j" --no-console --admin-port 0 >/dev/null 2>"$WORK/lvs4j.err" &
PIDS+=($!)
LVS4J_PID=$!
for _ in $(seq 600); do [[ -S "$WORK/lvs4j/ctl.sock" ]] && break; sleep 0.1; done
[[ -S "$WORK/lvs4j/ctl.sock" ]] || { echo "lvs4j did not start:" >&2; cat "$WORK/lvs4j.err" >&2; exit 1; }
"$LVS4J" ctl --state-dir "$WORK/lvs4j" ipvsadm -A -t 127.0.0.1:18102 -s rr
"$LVS4J" ctl --state-dir "$WORK/lvs4j" ipvsadm -a -t 127.0.0.1:18102 -r 127.0.0.1:18091 -b
"$LVS4J" ctl --state-dir "$WORK/lvs4j" ipvsadm -a -t 127.0.0.1:18102 -r 127.0.0.1:18092 -b

for port in 18091 18092 18100 18101 18102; do wait_port "$port"; done
NGINX_WORKERS="$(children "$NGINX_PID")"

declare -A PORT=([haproxy]=18100 [nginx-stream]=18101 [lvs4j]=18102)
declare -A CPUPIDS=([haproxy]="$HAPROXY_PID" [nginx-stream]="$NGINX_PID $NGINX_WORKERS" [lvs4j]="$LVS4J_PID")
BALANCERS=(haproxy nginx-stream lvs4j)
HZ="$(getconf CLK_TCK)"

# One wrk run; prints "requests/s cpu-seconds-per-request".
run() {
  local name="$1" secs="$2" mode="$3" hdr=() before after out rps reqs
  [[ "$mode" == close ]] && hdr=(-H "Connection: close")
  before="$(cpu_ticks ${CPUPIDS[$name]})"
  out="$(taskset -c 0 wrk -t1 -c"$CONNECTIONS" -d"${secs}s" "${hdr[@]}" "http://127.0.0.1:${PORT[$name]}/")"
  after="$(cpu_ticks ${CPUPIDS[$name]})"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  reqs="$(awk '/requests in/ {print $1}' <<<"$out")"
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
    echo "  $name ($mode): $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')" >&2
  fi
  awk -v r="$rps" -v n="$reqs" -v t=$((after - before)) -v hz="$HZ" 'BEGIN { printf "%s %.9f\n", r, (t / hz) / n }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "lvs4j bench peers: $(nproc) cores, wrk -t1 -c$CONNECTIONS, $ROUNDS rounds of ${SECONDS_PER_ROUND}s after a ${WARMUP}s warm-up"
echo "HAProxy $(haproxy -v | head -n1 | awk '{print $3}'), nginx $(nginx -v 2>&1 | sed 's|.*/||'), lvs4j socket engine (1 event loop)"
for mode in keepalive close; do
  declare -A RPS=() CPU=()
  for b in "${BALANCERS[@]}"; do run "$b" "$WARMUP" "$mode" >/dev/null; done
  for r in $(seq "$ROUNDS"); do
    for b in "${BALANCERS[@]}"; do
      read -r rps cpu < <(run "$b" "$SECONDS_PER_ROUND" "$mode")
      RPS[$b]+="$rps "; CPU[$b]+="$cpu "
    done
  done
  echo
  echo "mode: $mode"
  printf '%-14s %12s %16s %12s %12s\n' balancer "requests/s" "CPU us/request" "rps ratio" "CPU ratio"
  base_rps="$(tr ' ' '\n' <<<"${RPS[haproxy]}" | grep . | median)"
  base_cpu="$(tr ' ' '\n' <<<"${CPU[haproxy]}" | grep . | median)"
  for b in "${BALANCERS[@]}"; do
    m_rps="$(tr ' ' '\n' <<<"${RPS[$b]}" | grep . | median)"
    m_cpu="$(tr ' ' '\n' <<<"${CPU[$b]}" | grep . | median)"
    awk -v b="$b" -v r="$m_rps" -v c="$m_cpu" -v br="$base_rps" -v bc="$base_cpu" \
      'BEGIN { printf "%-14s %12.0f %16.2f %12.2f %12.2f\n", b, r, c * 1e6, r / br, c / bc }'
  done
done
echo
echo "target: lvs4j rps ratio >= 1.00 and CPU ratio <= 1.00 in both modes"
