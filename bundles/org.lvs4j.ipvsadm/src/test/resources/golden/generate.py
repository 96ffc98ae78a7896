#!/usr/bin/env python3
"""Writes the golden listings the ipvsadm tests compare against.

The expected text is produced here with Python's printf-style formatting and ipvsadm 1.31's own format strings
(ipvsadm.c: print_title, print_service_entry, print_largenum, print_conn, list_timeout), so the goldens do not
come from the Java formatter they check. The tables described here must match HowToListingTest and MixedListingTest's scenarios.
Run: python3 generate.py (writes *.txt next to this file).
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "IP Virtual Server version 1.2.1 (size=4096)\n"
TITLE = ("Prot LocalAddress:Port Scheduler Flags\n"
         "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
TUN_TITLE = ("Prot LocalAddress:Port Scheduler Flags\n"
             "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n")


def title(kind):
    if kind == "stats":
        return "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n" % (
            "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes")
    if kind == "rate":
        return "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n" % (
            "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS")
    if kind == "thresholds":
        return "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n" % (
            "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn")
    if kind == "persistent":
        return "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n" % (
            "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn")
    if kind == "tun":
        return TUN_TITLE
    return TITLE


def largenum(i, exact=False):
    if exact:
        s = "%d" % i
        return "%*d" % (9 if len(s) <= 8 else len(s) + 1, i)
    if i < 100000000:
        return "%9d" % i
    if i < 1000000000:
        return "%8dK" % (i // 1000)
    if i < 100000000000:
        return "%8dM" % (i // 1000000)
    if i < 100000000000000:
        return "%8dG" % (i // 1000000000)
    return "%8dT" % (i // 1000000000000)


def svc_name(proto, vname, v6=False):
    s = "%-4s %s" % (proto, vname)
    return s if v6 else s[:33]


def dest_plain(dname, fwd, weight, act, inact, suffix=""):
    return "  -> %-28s %-7s %-6d %-10u %-10u%s\n" % (dname[:28], fwd, weight, act, inact, suffix)


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


# ---- Scenario "howto": the LVS how-to's telnet service with two full-NAT real servers on loopback --------------
# c1: 192.0.2.1:40000 -> 127.0.0.12 ESTABLISHED, in 1 pkt 123456789012 B, out 1 pkt 98765432109876 B
# c2: 192.0.2.2:40001 -> 127.0.0.11 FIN_WAIT, in 1 pkt 5000 B, out 1 pkt 123456789 B
# one estimator step, then the clock advances 1.5 s.
c1_in, c1_out, c2_in, c2_out = 123456789012, 98765432109876, 5000, 123456789
NF = " [no forwarder]"


def rate(delta, shift_in, shift_out):
    avg = (delta << shift_in) >> 2
    return (avg + ((1 << (shift_out - 1)) - 1)) >> shift_out


def pps(n):
    return rate(n, 9, 10)


def bps(n):
    return rate(n, 4, 5)


rows = [("127.0.0.11", 23, 0, 1, (1, 1, 1, c2_in, c2_out)), ("127.0.0.12", 23, 1, 0, (1, 1, 1, c1_in, c1_out))]
tot = (2, 2, 2, c1_in + c2_in, c1_out + c2_out)

for numeric in (True, False):
    vname = "127.7.110.1:23" if numeric else "127.7.110.1:telnet"
    text = VERSION + TITLE + svc_name("TCP", vname) + " rr\n"
    for ip, port, act, inact, _ in rows:
        text += dest_plain("%s:%s" % (ip, port if numeric else "telnet"), "FullNat", 1, act, inact, NF)
    write("howto-L%s.txt" % ("n" if numeric else ""), text)

text = VERSION + title("stats") + "%-33s" % svc_name("TCP", "127.7.110.1:23") + "".join(largenum(x) for x in tot) + "\n"
for ip, port, _, _, s in rows:
    text += "  -> %-28s" % ("%s:%d" % (ip, port)) + "".join(largenum(x) for x in s) + "\n"
write("howto-stats.txt", text)

text = VERSION + title("stats") + "%-33s" % svc_name("TCP", "127.7.110.1:23") + "".join(largenum(x, True) for x in tot) + "\n"
for ip, port, _, _, s in rows:
    text += "  -> %-28s" % ("%s:%d" % (ip, port)) + "".join(largenum(x, True) for x in s) + "\n"
write("howto-stats-exact.txt", text)

r_tot = (pps(2), pps(2), pps(2), bps(tot[3]), bps(tot[4]))
text = VERSION + title("rate") + "%-33s" % svc_name("TCP", "127.7.110.1:23") + "".join(largenum(x) for x in r_tot) + "\n"
for ip, port, _, _, s in rows:
    text += "  -> %-28s %8d %8d %8d" % ("%s:%d" % (ip, port), pps(1), pps(1), pps(1))
    text += largenum(bps(s[3])) + largenum(bps(s[4])) + "\n"
write("howto-rate.txt", text)

text = VERSION + title("thresholds") + svc_name("TCP", "127.7.110.1:23") + " rr\n"
for ip, port, act, inact, _ in rows:
    text += "  -> %-28s %-10u %-10u %-10u %-10u%s\n" % ("%s:%d" % (ip, port), 0, 0, act, inact, NF)
write("howto-thresholds.txt", text)

text = VERSION + title("persistent") + svc_name("TCP", "127.7.110.1:23") + " rr\n"
for ip, port, act, inact, _ in rows:
    text += "  -> %-28s %-9u %-11u %-10u %-10u%s\n" % ("%s:%d" % (ip, port), 1, 0, act, inact, NF)
write("howto-persistent-conn.txt", text)

write("howto-S-n.txt", "-A -t 127.7.110.1:23 -s rr\n"
      "-a -t 127.7.110.1:23 -r 127.0.0.11:23 -b -w 1\n"
      "-a -t 127.7.110.1:23 -r 127.0.0.12:23 -b -w 1\n")
write("howto-S.txt", "-A -t 127.7.110.1:telnet -s rr\n"
      "-a -t 127.7.110.1:telnet -r 127.0.0.11:telnet -b -w 1\n"
      "-a -t 127.7.110.1:telnet -r 127.0.0.12:telnet -b -w 1\n")


def conn_line(proto, expire, state, src, vip, dst):
    return "%-3s %-6s %-11s %-18s %-18s %s\n" % (proto, "%02d:%02d" % (expire // 60, expire % 60), state, src, vip, dst)


head = "IPVS connection entries\n" + "pro expire %-11s %-18s %-18s %s\n" % ("state", "source", "virtual", "destination")
write("howto-c-n.txt", head
      + conn_line("TCP", 898, "ESTABLISHED", "192.0.2.1:40000", "127.7.110.1:23", "127.0.0.12:23")
      + conn_line("TCP", 118, "FIN_WAIT", "192.0.2.2:40001", "127.7.110.1:23", "127.0.0.11:23"))
write("howto-c.txt", head
      + conn_line("TCP", 898, "ESTABLISHED", "192.0.2.1:40000", "127.7.110.1:telnet", "127.0.0.12:telnet")
      + conn_line("TCP", 118, "FIN_WAIT", "192.0.2.2:40001", "127.7.110.1:telnet", "127.0.0.11:telnet"))
write("howto-timeout.txt", "Timeout (tcp tcpfin udp): %d %d %d\n" % (900, 120, 300))

# ---- Scenario "mixed": persistence, masks, ops, scheduler flags, tunnels, IPv6, local, admin states -------------
text = VERSION + TITLE
text += svc_name("TCP", "10.0.0.100:80") + " wlc persistent 600 mask 255.255.255.0\n"
text += dest_plain("10.0.0.1:80", "Masq", 3, 0, 0)
text += dest_plain("10.0.0.2:80", "Route", 0, 0, 0, " [drain]")
text += dest_plain("10.0.0.3:80", "Tunnel", 1, 0, 0)
text += dest_plain("127.0.0.1:80", "Local", 1, 0, 0)
text += svc_name("TCP", "10.0.0.100:443") + " sh (sh-fallback,sh-port)\n"
text += dest_plain("10.0.0.9:8443", "Masq", 2, 0, 0, " [maint]")
text += svc_name("TCP", "10.0.0.100:8080") + " mh [no scheduler]\n"
text += dest_plain("10.0.0.5:8080", "FullNat", 1, 0, 0, NF)
text += svc_name("TCP", "10.0.0.200:0") + " rr persistent 300\n"
text += dest_plain("10.0.0.7:0", "Route", 1, 0, 0)
text += svc_name("UDP", "10.0.0.100:53") + " rr ops\n"
text += dest_plain("10.0.0.1:53", "Masq", 1, 0, 0)
text += svc_name("TCP", "[2001:db8::100]:80", True) + " rr\n"
text += "  -> %-28s %-7s %-6d %-10u %-10u%s\n" % ("[2001:db8::1]:8080", "FullNat", 1, 0, 0, NF)
write("mixed-L-n.txt", text)

text = VERSION + TITLE
text += svc_name("TCP", "10.0.0.100:http") + " wlc persistent 600 mask 255.255.255.0\n"
text += dest_plain("web1:http", "Masq", 3, 0, 0)
text += dest_plain("10.0.0.2:http", "Route", 0, 0, 0, " [drain]")
text += dest_plain("10.0.0.3:http", "Tunnel", 1, 0, 0)
text += dest_plain("localhost:http", "Local", 1, 0, 0)
text += svc_name("TCP", "10.0.0.100:https") + " sh (sh-fallback,sh-port)\n"
text += dest_plain("10.0.0.9:8443", "Masq", 2, 0, 0, " [maint]")
text += svc_name("TCP", "10.0.0.100:8080") + " mh [no scheduler]\n"
text += dest_plain("10.0.0.5:8080", "FullNat", 1, 0, 0, NF)
text += svc_name("TCP", "10.0.0.200:0") + " rr persistent 300\n"
text += dest_plain("10.0.0.7:0", "Route", 1, 0, 0)
text += svc_name("UDP", "10.0.0.100:domain") + " rr ops\n"
text += dest_plain("web1:domain", "Masq", 1, 0, 0)
text += svc_name("TCP", "[2001:db8::100]:http", True) + " rr\n"
text += "  -> %-28s %-7s %-6d %-10u %-10u%s\n" % ("[2001:db8::1]:8080", "FullNat", 1, 0, 0, NF)
write("mixed-L.txt", text)

write("mixed-S-n.txt",
      "-A -t 10.0.0.100:80 -s wlc -p 600 -M 255.255.255.0\n"
      "-a -t 10.0.0.100:80 -r 10.0.0.1:80 -m -w 3\n"
      "-a -t 10.0.0.100:80 -r 10.0.0.2:80 -g -w 0\n"
      "-a -t 10.0.0.100:80 -r 10.0.0.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n"
      "-a -t 10.0.0.100:80 -r 127.0.0.1:80 -g -w 1\n"
      "-A -t 10.0.0.100:443 -s sh -b sh-fallback,sh-port\n"
      "-a -t 10.0.0.100:443 -r 10.0.0.9:8443 -m -w 2\n"
      "-A -t 10.0.0.100:8080 -s mh\n"
      "-a -t 10.0.0.100:8080 -r 10.0.0.5:8080 -b -w 1\n"
      "-A -t 10.0.0.200:0 -s rr -p 300\n"
      "-a -t 10.0.0.200:0 -r 10.0.0.7:0 -g -w 1\n"
      "-A -u 10.0.0.100:53 -s rr -o\n"
      "-a -u 10.0.0.100:53 -r 10.0.0.1:53 -m -w 1\n"
      "-A -t [2001:db8::100]:80 -s rr\n"
      "-a -t [2001:db8::100]:80 -r [2001:db8::1]:8080 -b -w 1 --proxy-protocol v2\n")

text = TUN_TITLE + svc_name("TCP", "10.0.0.100:80") + " wlc persistent 600 mask 255.255.255.0\n"
for dname, fwd, info, w, sfx in (("10.0.0.1:80", "Masq", "n/a", 3, ""), ("10.0.0.2:80", "Route", "n/a", 0, " [drain]"),
                                  ("10.0.0.3:80", "Tunnel", "gue:6080:+c", 1, ""), ("127.0.0.1:80", "Local", "n/a", 1, "")):
    text += "  -> %-28s %-7s %-13s %-6d %-10u %-10u%s\n" % (dname, fwd, info, w, 0, 0, sfx)
write("mixed-tun-info-service.txt", text)

# ---- print_largenum in every range ------------------------------------------------------------------------------
nums = [0, 1, 99999999, 100000000, 999999999, 1000000000, 99999999999, 100000000000, 99999999999999,
        100000000000000, 18446744073709551615]
write("largenum.txt", "".join("%d|%s|%s\n" % (n, largenum(n), largenum(n, True)) for n in nums))
print("goldens written to", HERE)
