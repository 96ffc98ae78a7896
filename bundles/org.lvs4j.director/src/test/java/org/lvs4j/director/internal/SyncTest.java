package org.lvs4j.director.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.director.internal.Fixtures.flow;
import static org.lvs4j.director.internal.Fixtures.ip;
import static org.lvs4j.director.internal.Fixtures.rr;
import static org.lvs4j.director.internal.Fixtures.server;
import static org.lvs4j.director.internal.Fixtures.tcp;
import static org.lvs4j.director.internal.Fixtures.udp;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.TableException;
import org.lvs4j.api.sync.SyncedConnection;
import org.lvs4j.director.internal.Fixtures.ManualClock;

/** What a master director reports for sync and what a backup makes of it (ip_vs_sync_conn, ip_vs_proc_conn). */
class SyncTest {

    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN = 0x01;

    private final ManualClock clock = new ManualClock();
    private final Table master = Fixtures.table(clock);
    private final Table backup = Fixtures.table(clock);
    private final List<SyncedConnection> sent = new ArrayList<>();
    private final ServiceKey vip = tcp("10.0.0.100", 80);

    private void both(ServiceConfig service, ForwardMethod method, String... servers) throws TableException {
        for (Table t : List.of(master, backup)) {
            t.apply(new AddService(service));
            for (String s : servers) {
                t.apply(new AddRealServer(service.key(), server(s, service.key().port(), method, 1)));
            }
        }
        master.sync().syncSink(sent::add);
    }

    private void deliver() {
        for (SyncedConnection r : sent) {
            assertNull(backup.sync().applySynced(r), () -> "applied " + r);
        }
        sent.clear();
    }

    private static RealServerStatus status(Table t, ServiceKey key, String address) {
        return t.service(key).orElseThrow().realServers().stream()
                .filter(r -> r.config().address().getHostAddress().equals(address)).findFirst().orElseThrow();
    }

    @Test
    void stateChangesOfADirectRoutedConnectionReachTheBackup() throws Exception {
        both(rr(vip), ForwardMethod.DROUTE, "10.0.0.11", "10.0.0.12");
        Connection c = master.schedule(master.virtualService(vip), flow(vip, "10.0.0.50", 40000)).connection();
        assertTrue(sent.isEmpty(), "a new entry in NONE is not reported: its first segment sets a state");
        c.tcpSegment(true, SYN);
        c.tcpSegment(true, ACK);
        assertEquals(List.of(ConnectionState.SYN_RECV, ConnectionState.ESTABLISHED),
                sent.stream().map(SyncedConnection::state).toList());
        SyncedConnection r = sent.get(1);
        assertEquals(SyncedConnection.FWD_DROUTE, r.flags() & SyncedConnection.FWD_MASK);
        assertTrue((r.flags() & SyncedConnection.NO_OUTPUT) != 0, "direct routing sees no replies");
        assertEquals(900, r.timeoutSeconds());
        deliver();

        Connection b = backup.lookup(vip.protocol(), ip("10.0.0.50"), 40000, vip.address(), 80);
        assertNotNull(b, "the backup has the connection");
        assertEquals(c.destinationAddress(), b.destinationAddress(), "to the same real server");
        assertEquals(ConnectionState.ESTABLISHED, b.state());
        assertEquals(1, status(backup, vip, c.destinationAddress().getHostAddress()).activeConns());
        assertEquals(b, backup.find4(6, 0x0a000032, 40000, 0x0a000064, 80), "the packet path finds it");

        // The backup carries on where the master left off: the client's FIN moves it on.
        b.tcpSegment(true, FIN | ACK);
        assertEquals(ConnectionState.FIN_WAIT, b.state());
        assertEquals(0, status(backup, vip, c.destinationAddress().getHostAddress()).activeConns());
    }

    @Test
    void longFlowsAreRefreshedOnTheThirdAndEveryFiftiethPacket() throws Exception {
        ServiceKey dns = udp("10.0.0.100", 53);
        both(rr(dns), ForwardMethod.MASQ, "10.0.0.11");
        Connection c = master.schedule(master.virtualService(dns), flow(dns, "10.0.0.50", 5353)).connection();
        List<Integer> reportedAt = new ArrayList<>();
        for (int i = 1; i <= 110; i++) {
            c.in(100);
            if (!sent.isEmpty()) {
                reportedAt.add(i);
                sent.clear();
            }
        }
        assertEquals(List.of(3, 53, 103), reportedAt);
    }

    @Test
    void aPersistentClientStaysOnItsServerAfterFailover() throws Exception {
        both(rr(vip).withPersistence(300, 0xffffffff), ForwardMethod.DROUTE, "10.0.0.11", "10.0.0.12");
        // Make the master's rr pick the second server for this client, so the backup's own rr would not.
        master.schedule(master.virtualService(vip), flow(vip, "10.0.0.60", 1000)).connection();
        Connection c = master.schedule(master.virtualService(vip), flow(vip, "10.0.0.50", 40000)).connection();
        c.tcpSegment(true, SYN);
        assertTrue(sent.stream().anyMatch(SyncedConnection::template), "the template goes with its connection");
        deliver();

        Connection next = backup.schedule(backup.virtualService(vip), flow(vip, "10.0.0.50", 40001)).connection();
        assertEquals(c.destinationAddress(), next.destinationAddress(), "persistence survives the failover");
        assertEquals(1, status(backup, vip, c.destinationAddress().getHostAddress()).persistentConns());
    }

    @Test
    void fullNatConnectionsStayHomeButTheirTemplatesTravel() throws Exception {
        both(rr(vip).withPersistence(300, 0xffffffff), ForwardMethod.FULLNAT, "127.0.0.11");
        Connection c = master.schedule(master.virtualService(vip), flow(vip, "10.0.0.50", 40000)).connection();
        c.state(ConnectionState.ESTABLISHED);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).template(), "only the template: a backup cannot carry on a proxied socket");
        assertEquals(1, master.sync().syncSnapshot().size());
    }

    @Test
    void aSnapshotHoldsEveryEntryForAResync() throws Exception {
        both(rr(vip), ForwardMethod.MASQ, "10.0.0.11", "10.0.0.12");
        for (int port = 40000; port < 40010; port++) {
            master.schedule(master.virtualService(vip), flow(vip, "10.0.0.50", port)).connection()
                    .tcpSegment(true, SYN);
        }
        sent.clear();
        sent.addAll(master.sync().syncSnapshot());
        assertEquals(10, sent.size());
        deliver();
        assertEquals(10, backup.connectionCount());
        assertEquals(5, status(backup, vip, "10.0.0.11").inactiveConns());
    }

    @Test
    void anEntryMovedToAnotherServerReplacesTheOldOne() throws Exception {
        both(rr(vip), ForwardMethod.MASQ, "10.0.0.11", "10.0.0.12");
        SyncedConnection first = new SyncedConnection(6, 0, ConnectionState.ESTABLISHED, ip("10.0.0.50"), 40000,
                vip.address(), 80, ip("10.0.0.11"), 80, 0, 900);
        assertNull(backup.sync().applySynced(first));
        assertNull(backup.sync().applySynced(new SyncedConnection(6, 0, ConnectionState.ESTABLISHED,
                ip("10.0.0.50"), 40000, vip.address(), 80, ip("10.0.0.12"), 80, 0, 900)));
        assertEquals("10.0.0.12",
                backup.lookup(vip.protocol(), ip("10.0.0.50"), 40000, vip.address(), 80).destinationAddress()
                        .getHostAddress());
        assertEquals(0, status(backup, vip, "10.0.0.11").activeConns());
        assertEquals(1, status(backup, vip, "10.0.0.12").activeConns());
    }

    @Test
    void entriesTheBackupCannotPlaceAreRefusedWithTheReason() throws Exception {
        both(rr(vip), ForwardMethod.MASQ, "10.0.0.11");
        assertEquals("no service TCP 10.0.0.100:81", backup.sync().applySynced(new SyncedConnection(6, 0,
                ConnectionState.ESTABLISHED, ip("10.0.0.50"), 1, vip.address(), 81, ip("10.0.0.11"), 81, 0, 900)));
        assertEquals("no real server 10.0.0.99:80 in service TCP 10.0.0.100:80", backup.sync().applySynced(
                new SyncedConnection(6, 0, ConnectionState.ESTABLISHED, ip("10.0.0.50"), 1, vip.address(), 80,
                        ip("10.0.0.99"), 80, 0, 900)));
        assertEquals("protocol 132 is not served (TCP and UDP only)", backup.sync().applySynced(
                new SyncedConnection(132, 0, ConnectionState.ESTABLISHED, ip("10.0.0.50"), 1, vip.address(), 80,
                        ip("10.0.0.11"), 80, 0, 900)));
        assertEquals("state UDP does not fit protocol TCP", backup.sync().applySynced(new SyncedConnection(6, 0,
                ConnectionState.UDP, ip("10.0.0.50"), 1, vip.address(), 80, ip("10.0.0.11"), 80, 0, 900)));
        assertEquals(0, backup.connectionCount(), "nothing was entered");
    }
}
