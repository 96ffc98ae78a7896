#!/usr/bin/env bash
# The LVS test topology for the packet-mode and HA tests (after PACKET.md §1): one L2 segment, a bridge in its own
# namespace, carrying two IPv4 subnets, plus an optional sync link between the directors.
#
#   10.99.0.0/24 front: client .10 and .20-.23, dir1 .2, dir2 .3, VIP .100 on the active director
#   10.99.1.0/24 back : dir1 .2, dir2 .3, floating gateway .1 (active director), rs1 .11, rs2 .12, rs3 .13
#   10.99.2.0/24 sync : dir1 .2, dir2 .3 on eth1 (up --sync)
#
# Real servers route the client subnet on-link (dr, tun) or through the floating gateway (nat); in the default
# "mixed" mode both at once: the client's .10 on-link, its .20-.23 (10.99.0.16/28) through the gateway, so one run
# can test every mode, choosing the mode by the client's source address. The real servers' VIP set-up is left to
# `lvs4j realserver`. Processes started with `spawn` are recorded by PID under the state
# directory and stopped by `down`, which then deletes every namespace of the prefix, so nothing outlives a run, also
# one that failed.
#
# usage: topology.sh up [--sync] | down | mode mixed|dr|tun|nat | vip dir1|dir2|none | spawn NODE NAME CMD...
#        | stop NAME | status
# environment: LVS_NS_PREFIX (default lvs-), LVS_TOPO_STATE (default /tmp/${LVS_NS_PREFIX}topo)
set -euo pipefail
P=${LVS_NS_PREFIX:-lvs-}
STATE=${LVS_TOPO_STATE:-/tmp/${P}topo}
VIP=${VIP:-10.99.0.100}
GW=10.99.1.1
NODES="client dir1 dir2 rs1 rs2 rs3"
REALS="rs1 rs2 rs3"
declare -A FRONT=([client]=10.99.0.10 [dir1]=10.99.0.2 [dir2]=10.99.0.3)
declare -A BACK=([dir1]=10.99.1.2 [dir2]=10.99.1.3 [rs1]=10.99.1.11 [rs2]=10.99.1.12 [rs3]=10.99.1.13)
declare -A SYNC=([dir1]=10.99.2.2 [dir2]=10.99.2.3)
declare -A MAC=([client]=02:99:00:00:00:0a [dir1]=02:99:00:00:00:02 [dir2]=02:99:00:00:00:03
                [rs1]=02:99:00:00:00:0b [rs2]=02:99:00:00:00:0c [rs3]=02:99:00:00:00:0d)
x() { ip netns exec "$P$1" "${@:2}"; }
sc() { x "$1" sysctl -qw "$2=$3"; }

up() {
  local sync=0
  [[ ${1:-} == --sync ]] && sync=1
  mkdir -p "$STATE"
  ip netns add "${P}sw"
  ip -n "${P}sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  ip -n "${P}sw" link set br0 up
  for n in $NODES; do
    ip netns add "$P$n"
    ip -n "$P$n" link add eth0 address "${MAC[$n]}" type veth peer name "v-$n" netns "${P}sw"
    ip -n "${P}sw" link set "v-$n" master br0 up
    ip -n "$P$n" link set lo up
    ip -n "$P$n" link set eth0 up
    # behave like a physical NIC: full checksums on the wire, no coalesced super-frames
    x "$n" ethtool -K eth0 tx off >/dev/null
    x "$n" ethtool -K eth0 gro off >/dev/null 2>&1 || true
    if [[ -n ${FRONT[$n]:-} ]]; then ip -n "$P$n" addr add "${FRONT[$n]}/24" dev eth0; fi
    if [[ -n ${BACK[$n]:-} ]]; then ip -n "$P$n" addr add "${BACK[$n]}/24" dev eth0; fi
  done
  # several client addresses and a wide port range, so tens of thousands of connections never wait for TIME_WAIT
  for a in 20 21 22 23; do ip -n "${P}client" addr add "10.99.0.$a/24" dev eth0; done
  sc client net.ipv4.ip_local_port_range "1024 65000"
  sc client net.ipv4.tcp_tw_reuse 1
  ip -n "${P}client" route add 10.99.1.0/24 dev eth0
  for d in dir1 dir2; do
    sc "$d" net.ipv4.conf.all.arp_announce 2   # never use a foreign/VIP source in ARP requests
    sc "$d" net.ipv4.conf.all.send_redirects 0
    sc "$d" net.ipv4.conf.eth0.send_redirects 0
  done
  if [[ $sync -eq 1 ]]; then
    ip -n "${P}sw" link add sync0 type bridge stp_state 0 forward_delay 0
    ip -n "${P}sw" link set sync0 up
    for d in dir1 dir2; do
      ip -n "$P$d" link add eth1 type veth peer name "s-$d" netns "${P}sw"
      ip -n "${P}sw" link set "s-$d" master sync0 up
      ip -n "$P$d" link set eth1 up
      x "$d" ethtool -K eth1 tx off >/dev/null
      ip -n "$P$d" addr add "${SYNC[$d]}/24" dev eth1
    done
  fi
  for r in $REALS; do
    for k in all eth0; do sc "$r" "net.ipv4.conf.$k.rp_filter" 0; done
  done
  mode mixed
  vip dir1
}

# dr/tun: real servers answer the client on-link; nat: replies go through the director (GW); mixed: both
mode() {
  for r in $REALS; do
    ip -n "$P$r" route del default 2>/dev/null || true
    ip -n "$P$r" route del 10.99.0.0/24 2>/dev/null || true
    ip -n "$P$r" route del 10.99.0.16/28 2>/dev/null || true
    case $1 in
      dr|tun) ip -n "$P$r" route add 10.99.0.0/24 dev eth0 ;;
      nat)    ip -n "$P$r" route add default via "$GW" ;;
      mixed)  ip -n "$P$r" route add 10.99.0.0/24 dev eth0
              ip -n "$P$r" route add 10.99.0.16/28 via "$GW" ;;
      *) echo "mode: mixed, dr, tun or nat" >&2; return 2 ;;
    esac
  done
}

# moves VIP + back gateway to one director and announces them with gratuitous ARP
vip() {
  for d in dir1 dir2; do
    ip -n "$P$d" addr del "$VIP/24" dev eth0 2>/dev/null || true
    ip -n "$P$d" addr del "$GW/24" dev eth0 2>/dev/null || true
  done
  [[ $1 == none ]] && return
  ip -n "$P$1" addr add "$VIP/24" dev eth0
  ip -n "$P$1" addr add "$GW/24" dev eth0
  x "$1" arping -q -c 1 -U -I eth0 "$VIP" 2>/dev/null || x "$1" python3 -c "$GARP" "$VIP" "$GW"
}

# gratuitous ARP (request with sender IP == target IP) from eth0 for each argument
GARP='
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("eth0", 0))
m = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
for a in sys.argv[1:]:
    ip = socket.inet_aton(a)
    s.send(b"\xff"*6 + m + b"\x08\x06" + bytes.fromhex("0001080006040001") + m + ip + b"\0"*6 + ip)
'

# spawn NODE NAME CMD...: runs CMD in the background inside NODE, output in STATE/NAME.log, PID in STATE/NAME.pid
spawn() {
  local node=$1 name=$2; shift 2
  mkdir -p "$STATE"
  ip netns exec "$P$node" "$@" </dev/null >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

# stop NAME: ends one spawned process (TERM, then KILL after 5 s) and waits for it
stop() {
  local f="$STATE/$1.pid" pid
  [[ -e $f ]] || { echo "stop: nothing spawned as $1" >&2; return 2; }
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

# stops what spawn started (by PID, TERM then KILL), then deletes the namespaces
down() {
  local f pid
  for f in "$STATE"/*.pid; do
    [[ -e $f ]] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$STATE"/*.pid; do
    [[ -e $f ]] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  for n in $NODES sw; do
    local pids; pids=$(ip netns pids "$P$n" 2>/dev/null | tr '\n' ' ')
    if [[ -n $pids ]]; then echo "warning: $P$n still has processes: $pids (not ours to kill)" >&2; fi
    ip netns del "$P$n" 2>/dev/null || true
  done
}

status() { for n in $NODES; do echo "== $n"; ip -n "$P$n" -br addr; ip -n "$P$n" route; done; }

"$@"
