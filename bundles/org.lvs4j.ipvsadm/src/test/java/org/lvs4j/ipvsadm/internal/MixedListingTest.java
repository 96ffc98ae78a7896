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
import org.lvs4j.api.ConnectionState;
import org.lvs4j.director.internal.Connection;
import org.lvs4j.director.internal.VirtualService;

/**
 * Persistence with a mask, ops, scheduler flags, tunnels, IPv6, a Local server and admin states, against golden text
 * written by src/test/resources/golden/generate.py from ipvsadm 1.31's own printf formats.
 */
class MixedListingTest {

    @TempDir
    Path dir;

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
