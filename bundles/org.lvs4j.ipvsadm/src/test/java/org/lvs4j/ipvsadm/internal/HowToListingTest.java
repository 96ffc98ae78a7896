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
 * The how-to's telnet service in every listing format, against golden text written by
 * src/test/resources/golden/generate.py from ipvsadm 1.31's own printf formats; its two connections carry numbers in
 * several K/M/G ranges.
 */
class HowToListingTest {

    @TempDir
    Path dir;

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
        h.table.setState(c1, ConnectionState.ESTABLISHED);
        h.table.countIn(c1, 123456789012L);
        h.table.countOut(c1, 98765432109876L);
        Connection c2 = h.table.schedule(svc, flow("192.0.2.2", 40001)).connection();
        h.table.setState(c2, ConnectionState.FIN_WAIT);
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
