package org.lvs4j.ipvsadm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lvs4j.ipvsadm.internal.Harness.golden;

import java.net.InetAddress;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.AdminState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.director.internal.ConnState;
import org.lvs4j.director.internal.Connection;
import org.lvs4j.director.internal.VirtualService;

/**
 * Every listing format against golden text written by src/test/resources/golden/generate.py from ipvsadm 1.31's own
 * printf formats.
 */
class ListingGoldenTest {

    @TempDir
    Path dir;

    /** The how-to's telnet service, with two connections carrying numbers in several K/M/G ranges. */
    @Nested
    class HowTo {
        Harness h;

        @BeforeEach
        void table() throws Exception {
            h = new Harness(dir, "rr");
            h.ok("-A", "-t", "127.7.110.1:telnet", "-s", "rr");
            h.ok("-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.11:23", "-b", "-w", "1");
            h.ok("-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.12:23", "-b", "-w", "1");
            VirtualService svc = h.table.virtualService(
                    new ServiceKey(Protocol.TCP, InetAddress.getByName("127.7.110.1"), 23));
            Connection c1 = h.table.schedule(svc, flow("192.0.2.1", 40000)).connection();
            h.table.setState(c1, ConnState.ESTABLISHED);
            h.table.countIn(c1, 123456789012L);
            h.table.countOut(c1, 98765432109876L);
            Connection c2 = h.table.schedule(svc, flow("192.0.2.2", 40001)).connection();
            h.table.setState(c2, ConnState.FIN_WAIT);
            h.table.countIn(c2, 5000);
            h.table.countOut(c2, 123456789);
            h.table.estimate();
            h.clock.advanceMillis(1500);
        }

        private Harness.TestFlow flow(String client, int port) throws Exception {
            return new Harness.TestFlow(Protocol.TCP, InetAddress.getByName(client), port,
                    InetAddress.getByName("127.7.110.1"), 23);
        }

        @Test
        void plain() {
            assertEquals(golden("howto-Ln.txt"), h.ok("-L", "-n"));
            assertEquals(golden("howto-Ln.txt"), h.ok("-Ln"), "clustered options");
            assertEquals(golden("howto-L.txt"), h.ok("-L"));
            assertEquals(golden("howto-L.txt"), h.ok(), "no arguments lists the table");
        }

        @Test
        void figures() {
            assertEquals(golden("howto-stats.txt"), h.ok("-L", "-n", "--stats"));
            assertEquals(golden("howto-stats-exact.txt"), h.ok("-L", "-n", "--stats", "--exact"));
            assertEquals(golden("howto-rate.txt"), h.ok("-l", "--rate", "-n"));
            assertEquals(golden("howto-thresholds.txt"), h.ok("-L", "-n", "--thresholds"));
            assertEquals(golden("howto-persistent-conn.txt"), h.ok("-L", "-n", "--persistent-conn"));
        }

        @Test
        void rulesConnectionsAndTimeouts() {
            assertEquals(golden("howto-S-n.txt"), h.ok("-S", "-n"));
            assertEquals(golden("howto-S.txt"), h.ok("--save"));
            assertEquals(golden("howto-c-n.txt"), h.ok("-L", "-c", "-n"));
            assertEquals(golden("howto-c.txt"), h.ok("-Lc"));
            assertEquals(golden("howto-timeout.txt"), h.ok("-L", "--timeout"));
            assertEquals("", h.ok("-L", "--daemon"), "no sync daemon runs");
        }

        @Test
        void zeroClearsFiguresButNotConnections() {
            h.ok("-Z", "-t", "127.7.110.1:23");
            String stats = h.ok("-L", "-n", "--stats");
            assertEquals(golden("howto-stats.txt").lines().count(), stats.lines().count());
            assertEquals("TCP  127.7.110.1:23                      0        0        0        0        0",
                    stats.lines().toList().get(3));
            assertEquals(golden("howto-c-n.txt"), h.ok("-L", "-c", "-n"));
        }
    }

    /** Persistence with a mask, ops, scheduler flags, tunnels, IPv6, a Local server and admin states. */
    @Nested
    class Mixed {
        Harness h;

        @BeforeEach
        void table() throws Exception {
            h = new Harness(dir, "rr", "wlc", "sh");
            h.table.addForwarder(ForwardMethod.MASQ);
            h.table.addForwarder(ForwardMethod.DROUTE);
            h.table.addForwarder(ForwardMethod.TUNNEL);
            h.ok("-A", "-t", "10.0.0.100:80", "-s", "wlc", "-p", "600", "-M", "255.255.255.0");
            h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.1:80", "-m", "-w", "3", "-x", "100", "-y", "50");
            h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.2", "-g", "-w", "0");
            h.ok("-a", "-t", "10.0.0.100:80", "-r", "127.0.0.1");
            h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.3", "-i", "--tun-type", "gue", "--tun-port", "6080",
                    "--tun-csum");
            h.ok("-A", "-t", "10.0.0.100:https", "-s", "sh", "-b", "sh-fallback,sh-port");
            h.ok("--add-server", "--tcp-service", "10.0.0.100:443", "--real-server", "10.0.0.9:8443",
                    "--masquerading", "--weight=2");
            h.ok("-A", "-t", "10.0.0.200:0", "-s", "rr", "-p");
            h.ok("-a", "-t", "10.0.0.200:0", "-r", "10.0.0.7", "-g");
            h.ok("-A", "-u", "10.0.0.100:domain", "-s", "rr", "-o");
            h.ok("-a", "-u", "10.0.0.100:53", "-r", "web1:53", "-m");
            h.ok("-A", "-t", "[2001:db8::100]:80", "-s", "rr");
            h.ok("-a", "-t", "[2001:db8::100]:80", "-r", "[2001:db8::1]:8080", "-b", "--proxy-protocol", "v2");
            Harness.Result r = h.withInput("ipvsadm -A -t 10.0.0.100:8080 -s mh\n-a -t 10.0.0.100:8080 -r 10.0.0.5:8080 -b\n",
                    "-R");
            assertEquals(0, r.exit(), r.err());
            ServiceKey web = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.0.0.100"), 80);
            ServiceKey tls = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.0.0.100"), 443);
            h.table.apply(new TableChange.SetAdminState(web, InetAddress.getByName("10.0.0.2"), 80,
                    AdminState.DRAIN));
            h.table.apply(new TableChange.SetAdminState(tls, InetAddress.getByName("10.0.0.9"), 8443,
                    AdminState.MAINT));
        }

        @Test
        void listings() {
            assertEquals(golden("mixed-L-n.txt"), h.ok("-L", "-n"));
            assertEquals(golden("mixed-L.txt"), h.ok("-L"));
            assertEquals(golden("mixed-S-n.txt"), h.ok("-S", "-n"));
            assertEquals(golden("mixed-tun-info-service.txt"), h.ok("-L", "-n", "--tun-info", "-t", "10.0.0.100:80"));
        }

        @Test
        void saveThenRestoreOnAnotherDirectorGivesTheSameRules() {
            String rules = h.ok("-S", "-n");
            Harness other = new Harness(dir, "rr");
            Harness.Result r = other.withInput(rules, "-R");
            assertEquals(0, r.exit(), r.err());
            assertEquals(rules, other.ok("-S", "-n"), "schedulers missing there are kept and marked");
            assertEquals(3, other.ok("-L", "-n").lines().filter(l -> l.endsWith("[no scheduler]")).count(),
                    "wlc, sh and mh are not registered there");
        }
    }

    @Test
    void largeNumbersInEveryRange() {
        for (String line : golden("largenum.txt").lines().toList()) {
            String[] f = line.split("\\|");
            long n = Long.parseUnsignedLong(f[0]);
            assertEquals(f[1], Listing.largenum(n, false), "print_largenum(" + f[0] + ")");
            assertEquals(f[2], Listing.largenum(n, true), "print_largenum(" + f[0] + ", exact)");
        }
    }
}
