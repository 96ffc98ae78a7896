#!/usr/bin/env bash
# ./lvs4j bench packet: the packet engine in direct-routing mode beside the kernel's own IP forwarding, in the
# namespaces of runtime/topology.sh, and the connection table at a million flows.
#
# Both paths have the same hops: client -> dir1 -> rs1, replies from rs1 straight to the client. The kernel path is
# dir1 routing (ip_forward=1) to rs1's own address; the lvs4j path is the exported appliance in dir1 forwarding
# VIP:5202 (TCP and UDP services, -g) to rs1, which holds the VIP on lo. iperf3 runs on the client and rs1.
#
# After a warm-up round for the director's JIT, per round, kernel and lvs4j one after the other: 64-byte frames (UDP payload 18 bytes, iperf3 -b 0) for
# SECONDS_PER_ROUND seconds, packets per second as received by rs1; then one TCP stream, throughput as received.
# CPU per packet: the busy time of the whole machine (all namespaces share it, /proc/stat) per received packet, and
# for lvs4j also the director process's own share. Reported: medians of ROUNDS rounds and the ratios to the kernel.
# Then bench/ConnTableBench.java: bytes per flow and lookup cost at FLOWS concurrent flows.
#
# Needs root (namespaces; iperf3 is installed if missing). Every namespace and process it creates is removed by PID
# at the end, also on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/.."
LVS4J="${LVS4J:-$ROOT/lvs4j}"
JAVA="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}/bin/java"
ROUNDS="${ROUNDS:-3}"
SECONDS_PER_ROUND="${SECONDS_PER_ROUND:-10}"
FLOWS="${FLOWS:-1000000}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lvs4j-bench-packet.XXXXXX")"
export LVS_NS_PREFIX="lvsb$$-" LVS_TOPO_STATE="$WORK/topo"
TOPO="$ROOT/runtime/topology.sh"
VIP=10.99.0.100
RS=10.99.1.11
UP=0

cleanup() {
  if [[ $UP -eq 1 ]]; then
    ip netns exec "${LVS_NS_PREFIX}rs1" "$LVS4J" realserver --mode dr --vip "$VIP" --undo >/dev/null 2>&1 || true
    "$TOPO" down || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || { echo "bench packet needs root (network namespaces, AF_PACKET)" >&2; exit 2; }
if ! command -v iperf3 >/dev/null; then
  had=0; [[ -e /usr/sbin/policy-rc.d ]] && had=1
  [[ $had -eq 1 ]] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iperf3 >/dev/null
  [[ $had -eq 1 ]] || rm -f /usr/sbin/policy-rc.d
fi
"$LVS4J" build >/dev/null

x() { ip netns exec "$LVS_NS_PREFIX$1" "${@:2}"; }
busy() { awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat; }          # user nice system irq softirq (USER_HZ)
proc_ticks() { local f; f="$(cat "/proc/$1/stat")"; f="${f##*) }"; set -- $f; echo $((${12} + ${13})); }
hz=$(getconf CLK_TCK)

"$TOPO" up >/dev/null
UP=1
x rs1 "$LVS4J" realserver --mode dr --vip "$VIP" >/dev/null
# a UDP server answers from the address its socket is bound to: one iperf3 on the VIP (DR), one on rs1's own
"$TOPO" spawn rs1 iperf3-vip iperf3 -s -B "$VIP" -p 5202
"$TOPO" spawn rs1 iperf3-rs iperf3 -s -B "$RS" -p 5201
x client ip route add "$RS/32" via 10.99.0.2          # the kernel path: through dir1 as a router
x dir1 sysctl -qw net.ipv4.ip_forward=1
"$TOPO" spawn dir1 director "$LVS4J" run --state-dir "$WORK/d" --no-console --admin-port 0
for _ in $(seq 240); do [[ -S "$WORK/d/ctl.sock" ]] && break; sleep 0.25; done
[[ -S "$WORK/d/ctl.sock" ]] || { echo "the director did not start: $(tail -5 "$WORK/topo/director.log")" >&2; exit 1; }
ctl() { "$LVS4J" ctl --state-dir "$WORK/d" "$@" >/dev/null; }
for p in -t -u; do
  ctl ipvsadm -A "$p" "$VIP:5202" -s rr
  ctl ipvsadm -a "$p" "$VIP:5202" -r "$RS" -g
done
for _ in $(seq 100); do "$LVS4J" ctl --state-dir "$WORK/d" packet | grep -q "VIP $VIP: on eth0" && break; sleep 0.1; done
sleep 1.5 # the host rules and neighbours of the first refresh
DIRECTOR_PID=""
for p in $(pgrep -f -- "$WORK/d"); do
  [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == java ]] && { DIRECTOR_PID=$p; break; }
done
[[ -n "$DIRECTOR_PID" ]] || { echo "cannot find the director's JVM" >&2; exit 1; }

json() { # json FILE EXPR: EXPR over iperf3's JSON report d; iperf3's own error if it failed
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
if 'error' in d: sys.exit('iperf3: ' + d['error'])
print($2)" "$1"
}

# udp TARGET PORT: prints "pps busy-ns-per-packet director-ns-per-packet"
udp() {
  local b0 d0 b1 d1 f="$WORK/udp.json"
  b0=$(busy); d0=$(proc_ticks "$DIRECTOR_PID")
  x client iperf3 -c "$1" -p "$2" -u -b 0 -l 18 -t "$SECONDS_PER_ROUND" --json >"$f"
  b1=$(busy); d1=$(proc_ticks "$DIRECTOR_PID")
  local pk; pk=$(json "$f" "(d['end']['sum_received']['packets'] - d['end']['sum_received']['lost_packets'])")
  local s; s=$(json "$f" "d['end']['sum_received']['seconds']")
  python3 -c "import sys; pk,s,b,d,hz=map(float,sys.argv[1:]); print(round(pk/s), round((b/hz)*1e9/pk), round((d/hz)*1e9/pk))" \
    "$pk" "$s" $((b1 - b0)) $((d1 - d0)) "$hz"
}

# tcp TARGET PORT: prints Gbit/s received
tcp() {
  local f="$WORK/tcp.json"
  x client iperf3 -c "$1" -p "$2" -t "$SECONDS_PER_ROUND" --json >"$f"
  json "$f" "round(d['end']['sum_received']['bits_per_second'] / 1e9, 2)"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "lvs4j bench packet: $(nproc) cores, $(uname -r), $("$JAVA" -version 2>&1 | head -n 1)"
echo "rounds: $ROUNDS x ${SECONDS_PER_ROUND}s per measurement, 64-byte frames for pps; kernel and lvs4j interleaved"
udp "$VIP" 5202 >/dev/null   # warm-up: the director's JIT compiles its packet path
tcp "$VIP" 5202 >/dev/null
: >"$WORK/k.udp"; : >"$WORK/l.udp"; : >"$WORK/k.tcp"; : >"$WORK/l.tcp"
for r in $(seq "$ROUNDS"); do
  udp "$RS" 5201 >>"$WORK/k.udp"
  udp "$VIP" 5202 >>"$WORK/l.udp"
  tcp "$RS" 5201 >>"$WORK/k.tcp"
  tcp "$VIP" 5202 >>"$WORK/l.tcp"
  echo "round $r: kernel $(tail -1 "$WORK/k.udp" | cut -d' ' -f1) pps, $(tail -1 "$WORK/k.tcp") Gbit/s;" \
    "lvs4j $(tail -1 "$WORK/l.udp" | cut -d' ' -f1) pps, $(tail -1 "$WORK/l.tcp") Gbit/s"
done
kp=$(cut -d' ' -f1 "$WORK/k.udp" | median); lp=$(cut -d' ' -f1 "$WORK/l.udp" | median)
kc=$(cut -d' ' -f2 "$WORK/k.udp" | median); lc=$(cut -d' ' -f2 "$WORK/l.udp" | median)
ld=$(cut -d' ' -f3 "$WORK/l.udp" | median)
kt=$(median <"$WORK/k.tcp"); lt=$(median <"$WORK/l.tcp")
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
echo
printf '%-34s %14s %14s %8s\n' "median of $ROUNDS" kernel lvs4j-DR ratio
printf '%-34s %14s %14s %8s\n' "64-byte UDP, packets/s received" "$kp" "$lp" "$(ratio "$lp" "$kp")"
printf '%-34s %14s %14s %8s\n' "single TCP stream, Gbit/s" "$kt" "$lt" "$(ratio "$lt" "$kt")"
printf '%-34s %14s %14s %8s\n' "machine CPU per packet, ns" "$kc" "$lc" "$(ratio "$lc" "$kc")"
printf '%-34s %14s %14s\n' "  of which the director JVM, ns" "-" "$ld"
echo "targets: pps >= 1.0x, TCP >= 0.6x, CPU per packet <= 2x the kernel's"
"$LVS4J" ctl --state-dir "$WORK/d" packet | grep -E "frames received|frames per receive call|dropped by the kernel" \
  | sed 's/^ */director: /'
echo
CP="$(ls "$ROOT"/runtime/target/export/lvs4j/{org.lvs4j.api,org.lvs4j.director,org.lvs4j.scheduler.rr,slf4j-api,slf4j-simple}-*.jar | tr '\n' :)"
"$JAVA" -Xmx6g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" "$HERE/ConnTableBench.java" "$FLOWS"
