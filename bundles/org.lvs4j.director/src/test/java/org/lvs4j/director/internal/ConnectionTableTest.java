package org.lvs4j.director.internal;

import org.lvs4j.api.ConnectionState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.lvs4j.api.AdminState;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Counters;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.Timeouts;
import org.lvs4j.director.internal.Fixtures.ManualClock;

/** Connection states, counting, timeouts, thresholds, persistence and rates, checked against IPVS's rules. */
class ConnectionTableTest {

    private final ManualClock clock = new ManualClock();
    private final Table table = Fixtures.table(clock);
    private final ServiceKey vip = tcp("10.0.0.100", 80);

    private VirtualService service(ServiceKey key, String... servers) throws Exception {
        table.apply(new AddService(rr(key)));
        for (String s : servers) {
            table.apply(new AddRealServer(key, server(s, key.port(), ForwardMethod.MASQ, 1)));
        }
        return table.virtualService(key);
    }

    private RealServerStatus status(ServiceKey key, String address) {
        return table.service(key).orElseThrow().realServers().stream()
                .filter(r -> r.config().address().getHostAddress().equals(address)).findFirst().orElseThrow();
    }

    private void advance(long seconds) {
        clock.advanceSeconds(seconds);
        table.tick();
    }

    @Test
    void onlyEstablishedCountsAsActive() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        assertEquals(ConnectionState.NONE, c.state());
        assertEquals(0, status(vip, "10.0.0.1").activeConns());
        assertEquals(1, status(vip, "10.0.0.1").inactiveConns());

        table.setState(c, ConnectionState.SYN_RECV);
        assertEquals(1, status(vip, "10.0.0.1").inactiveConns());
        table.setState(c, ConnectionState.ESTABLISHED);
        assertEquals(1, status(vip, "10.0.0.1").activeConns());
        assertEquals(0, status(vip, "10.0.0.1").inactiveConns());
        table.setState(c, ConnectionState.FIN_WAIT);
        assertEquals(0, status(vip, "10.0.0.1").activeConns());
        assertEquals(1, status(vip, "10.0.0.1").inactiveConns());
        assertEquals(1, status(vip, "10.0.0.1").stats().conns());
    }

    @Test
    void entriesExpireAfterTheirStateTimeout() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        List<Connection> expired = new ArrayList<>();
        c.onExpired(expired::add);
        table.setState(c, ConnectionState.ESTABLISHED);
        advance(899);
        assertEquals(1, table.connectionCount());
        table.setState(c, ConnectionState.FIN_WAIT);
        ConnectionEntry e = table.connections().get(0);
        assertEquals("FIN_WAIT", e.state());
        assertEquals(120, e.expiresSeconds());
        advance(119);
        assertEquals(1, table.connectionCount());
        advance(2);
        assertEquals(0, table.connectionCount());
        assertEquals(List.of(c), expired);
        assertEquals(0, status(vip, "10.0.0.1").inactiveConns(), "expiry frees the count");
    }

    @Test
    void refreshingPostponesExpiry() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        for (int i = 0; i < 5; i++) {
            advance(800);
            table.countIn(c, 100);
        }
        assertEquals(1, table.connectionCount(), "traffic keeps an entry alive past its timeout");
        assertEquals(new Counters(1, 5, 0, 500, 0), status(vip, "10.0.0.1").stats());
        advance(901);
        assertEquals(0, table.connectionCount());
    }

    @Test
    void setTimeoutsChangesNewTimersAndZeroKeeps() throws Exception {
        table.apply(new TableChange.SetTimeouts(new Timeouts(3600, 0, 60)));
        assertEquals(new Timeouts(3600, 120, 60), table.timeouts());
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        assertEquals(3600, table.connections().get(0).expiresSeconds());

        ServiceKey dns = udp("10.0.0.100", 53);
        VirtualService u = service(dns, "10.0.0.1");
        Connection f = table.schedule(u, flow(dns, "192.0.2.1", 5353)).connection();
        assertEquals(ConnectionState.UDP, f.state());
        assertEquals(0, status(dns, "10.0.0.1").activeConns());
        assertEquals(1, status(dns, "10.0.0.1").inactiveConns(), "UDP flows are always inactive");
        advance(61);
        assertNull(table.lookup(dns.protocol(), ip("192.0.2.1"), 5353, dns.address(), 53));
    }

    @Test
    void upperThresholdOverloadsAndThreeQuartersClears() throws Exception {
        VirtualService svc = service(vip);
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1).withThresholds(4, 0)));
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            conns.add(table.schedule(svc, flow(vip, "192.0.2.1", 40000 + i)).connection());
        }
        assertTrue(status(vip, "10.0.0.1").overloaded());
        assertEquals(Table.Failure.NO_DESTINATION,
                table.schedule(svc, flow(vip, "192.0.2.1", 41000)).failure(), "blocked at 4");
        table.expireNow(conns.remove(0));
        assertTrue(status(vip, "10.0.0.1").overloaded(), "3*4 is not below 4*3");
        table.expireNow(conns.remove(0));
        assertFalse(status(vip, "10.0.0.1").overloaded(), "reopens at 2 (2*4 < 12)");
        assertNotNull(table.schedule(svc, flow(vip, "192.0.2.1", 41001)).connection());
    }

    @Test
    void lowerThresholdDecidesWhenOverloadEnds() throws Exception {
        VirtualService svc = service(vip);
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1).withThresholds(3, 1)));
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            conns.add(table.schedule(svc, flow(vip, "192.0.2.1", 40000 + i)).connection());
        }
        assertTrue(status(vip, "10.0.0.1").overloaded());
        table.expireNow(conns.remove(0));
        table.expireNow(conns.remove(0));
        assertTrue(status(vip, "10.0.0.1").overloaded(), "1 is not below 1");
        table.expireNow(conns.remove(0));
        assertFalse(status(vip, "10.0.0.1").overloaded());
    }

    @Test
    void raisingTheUpperThresholdClearsOverloadAtOnce() throws Exception {
        VirtualService svc = service(vip);
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1).withThresholds(1, 0)));
        table.schedule(svc, flow(vip, "192.0.2.1", 40000));
        assertTrue(status(vip, "10.0.0.1").overloaded());
        table.apply(new TableChange.EditRealServer(vip,
                server("10.0.0.1", 80, ForwardMethod.MASQ, 1).withThresholds(1, 0)));
        assertTrue(status(vip, "10.0.0.1").overloaded(), "the same threshold keeps the overload");
        table.apply(new TableChange.EditRealServer(vip,
                server("10.0.0.1", 80, ForwardMethod.MASQ, 1).withThresholds(5, 0)));
        assertFalse(status(vip, "10.0.0.1").overloaded());
    }

    @Test
    void persistenceKeepsAClientOnOneServer() throws Exception {
        table.apply(new AddService(rr(vip).withPersistence(300, 0xffffff00)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 8080, ForwardMethod.MASQ, 1)));
        table.apply(new AddRealServer(vip, server("10.0.0.2", 8080, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(vip);
        Connection a = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        Connection b = table.schedule(svc, flow(vip, "192.0.2.77", 40001)).connection();
        assertEquals(a.destinationAddress(), b.destinationAddress(), "same /24, same server");
        assertEquals(8080, a.destinationPort());
        Connection other = table.schedule(svc, flow(vip, "198.51.100.1", 40000)).connection();
        assertNotEquals(a.destinationAddress(), other.destinationAddress(), "another client net is scheduled");

        ConnectionEntry tpl = table.connections().stream().filter(ConnectionEntry::template)
                .filter(e -> e.client().getHostAddress().equals("192.0.2.0")).findFirst().orElseThrow();
        assertEquals(0, tpl.clientPort());
        assertEquals(80, tpl.virtualPort());
        assertEquals("NONE", tpl.state());
        assertEquals(300, tpl.expiresSeconds());
        assertEquals(1, status(vip, a.destinationAddress().getHostAddress()).persistentConns());
        assertEquals(2, status(vip, a.destinationAddress().getHostAddress()).inactiveConns());
    }

    @Test
    void templateOutlivesItsConnectionsAndThenExpires() throws Exception {
        table.apply(new AddService(rr(vip).withPersistence(30, 0xffffffff)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(vip);
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        advance(31);
        assertEquals(2, table.connectionCount(), "a template with live connections is re-armed");
        table.setState(c, ConnectionState.CLOSE);
        advance(11);
        assertEquals(1, table.connectionCount(), "the connection went after CLOSE's 10 s");
        advance(60);
        assertEquals(0, table.connectionCount(), "then the template, after its 60 s re-arm");
        assertEquals(0, status(vip, "10.0.0.1").persistentConns());
    }

    @Test
    void quiescentServerKeepsPersistentClientsUnlessExpireQuiescentTemplate() throws Exception {
        table.apply(new AddService(rr(vip).withPersistence(300, 0xffffffff)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1)));
        table.apply(new AddRealServer(vip, server("10.0.0.2", 80, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(vip);
        Connection first = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        String pinned = first.destinationAddress().getHostAddress();
        table.apply(new TableChange.EditRealServer(vip, server(pinned, 80, ForwardMethod.MASQ, 0)));

        Connection again = table.schedule(svc, flow(vip, "192.0.2.1", 40001)).connection();
        assertEquals(pinned, again.destinationAddress().getHostAddress(), "weight 0 keeps persistent clients");

        table.sysctls().set("expire_quiescent_template", 1);
        Connection moved = table.schedule(svc, flow(vip, "192.0.2.1", 40002)).connection();
        assertNotEquals(pinned, moved.destinationAddress().getHostAddress());
    }

    @Test
    void drainHonoursTemplatesAndMaintDoesNot() throws Exception {
        table.apply(new AddService(rr(vip).withPersistence(300, 0xffffffff)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1)));
        table.apply(new AddRealServer(vip, server("10.0.0.2", 80, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(vip);
        String pinned = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection()
                .destinationAddress().getHostAddress();
        table.apply(new TableChange.SetAdminState(vip, ip(pinned), 80, AdminState.DRAIN));
        assertEquals(pinned, table.schedule(svc, flow(vip, "192.0.2.1", 40001)).connection()
                .destinationAddress().getHostAddress());
        assertNotEquals(pinned, table.schedule(svc, flow(vip, "192.0.2.9", 40001)).connection()
                .destinationAddress().getHostAddress(), "no new clients while draining");
        table.apply(new TableChange.SetAdminState(vip, ip(pinned), 80, AdminState.MAINT));
        assertNotEquals(pinned, table.schedule(svc, flow(vip, "192.0.2.1", 40002)).connection()
                .destinationAddress().getHostAddress());
    }

    @Test
    void portZeroServiceForwardsToTheClientsPort() throws Exception {
        ServiceKey any = tcp("10.0.0.100", 0);
        table.apply(new AddService(rr(any).withPersistence(300, 0xffffffff)));
        table.apply(new AddRealServer(any, server("10.0.0.1", 0, ForwardMethod.DROUTE, 1)));
        VirtualService svc = table.findService(any.protocol(), any.address(), 443);
        assertSame(table.virtualService(any), svc);
        Connection c = table.schedule(svc, flow(any, "192.0.2.1", 40000, 443)).connection();
        assertEquals(443, c.destinationPort());
        ConnectionEntry tpl = table.connections().stream().filter(ConnectionEntry::template).findFirst()
                .orElseThrow();
        assertEquals(0, tpl.virtualPort());
        assertEquals(0, tpl.destinationPort());
    }

    @Test
    void nonPersistentPortZeroServiceSchedulesNothing() throws Exception {
        ServiceKey any = tcp("10.0.0.100", 0);
        table.apply(new AddService(rr(any)));
        table.apply(new AddRealServer(any, server("10.0.0.1", 0, ForwardMethod.DROUTE, 1)));
        assertEquals(Table.Failure.NO_DESTINATION,
                table.schedule(table.virtualService(any), flow(any, "192.0.2.1", 40000, 443)).failure());
    }

    @Test
    void onePacketSchedulingKeepsNoEntry() throws Exception {
        ServiceKey dns = udp("10.0.0.100", 53);
        var cfg = rr(dns);
        table.apply(new AddService(new org.lvs4j.api.ServiceConfig(dns, "rr", 0, false, 0, cfg.netmask(), null, true)));
        table.apply(new AddRealServer(dns, server("10.0.0.1", 53, ForwardMethod.MASQ, 1)));
        table.apply(new AddRealServer(dns, server("10.0.0.2", 53, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(dns);
        Connection a = table.schedule(svc, flow(dns, "192.0.2.1", 5353)).connection();
        Connection b = table.schedule(svc, flow(dns, "192.0.2.1", 5353)).connection();
        assertNotEquals(a.destinationAddress(), b.destinationAddress(), "each datagram is scheduled");
        assertEquals(0, table.connectionCount());
        table.expireNow(a);
        table.expireNow(b);
        assertEquals(0, status(dns, "10.0.0.1").inactiveConns() + status(dns, "10.0.0.2").inactiveConns());
        assertEquals(2, table.service(dns).orElseThrow().stats().conns());
    }

    @Test
    void connReuseReschedulesTimeWaitButNotEstablished() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        assertEquals(Table.Reuse.EXISTING, table.reuse(c));
        table.setState(c, ConnectionState.TIME_WAIT);
        assertEquals(Table.Reuse.SCHEDULE, table.reuse(c));
        assertTrue(c.isDead());

        table.sysctls().set("conn_reuse_mode", 0);
        Connection d = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(d, ConnectionState.TIME_WAIT);
        assertEquals(Table.Reuse.EXISTING, table.reuse(d), "mode 0 pins a reused port to its old server");
    }

    @Test
    void packetsOfADeletedServerAreDroppedUnlessExpireNodestConn() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1", "10.0.0.2");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        table.apply(new TableChange.DeleteRealServer(vip, c.destinationAddress(), 80));
        assertEquals(Table.Reuse.DROP, table.reuse(c));
        assertFalse(c.isDead());
        table.sysctls().set("expire_nodest_conn", 1);
        assertEquals(Table.Reuse.SCHEDULE, table.reuse(c));
        assertTrue(c.isDead());
    }

    @Test
    void ratesFollowTheKernelsEstimator() throws Exception {
        VirtualService svc = service(vip, "10.0.0.1");
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 40000)).connection();
        table.estimate();
        // 1 conn in 2 s: avg = (1<<9)/4 = 128 (scaled 2^10); shown as (128+511)>>10 = 0.
        assertEquals(0, table.service(vip).orElseThrow().rates().conns());
        for (int step = 0; step < 80; step++) {
            for (int i = 0; i < 1000; i++) {
                table.countIn(c, 1500);
            }
            table.estimate();
        }
        Counters r = table.service(vip).orElseThrow().rates();
        assertEquals(500, r.inPackets(), "1000 packets per 2 s converge to 500/s");
        assertEquals(750000, r.inBytes(), "1.5 MB per 2 s converge to 750 kB/s");
        table.apply(new TableChange.Zero(vip));
        assertEquals(Counters.ZERO, table.service(vip).orElseThrow().rates());
        assertEquals(Counters.ZERO, table.service(vip).orElseThrow().stats());
        assertEquals(Counters.ZERO, status(vip, "10.0.0.1").stats());
        table.countIn(c, 10);
        assertEquals(new Counters(0, 1, 0, 10, 0), table.service(vip).orElseThrow().stats());
    }

    @Test
    void firstRateStepMatchesHandComputedKernelValues() {
        Stats s = new Stats();
        for (int i = 0; i < 1000; i++) {
            s.connection();
        }
        s.estimate();
        // rate = 1000<<9 = 512000; avg = 512000>>2 = 128000; shown (128000+511)>>10 = 125.
        assertEquals(125, s.rates().conns());
        s.estimate();
        // avg += (0 - 128000)>>2 = 96000 -> (96000+511)>>10 = 94.
        assertEquals(94, s.rates().conns());
    }

    @Test
    void tcpStateTableFollowsIpvs() {
        var in = TcpStates.Direction.INPUT;
        var out = TcpStates.Direction.OUTPUT;
        // NAT: both directions seen.
        assertEquals(ConnectionState.SYN_RECV, TcpStates.next(ConnectionState.NONE, in, false, TcpStates.SYN));
        assertEquals(ConnectionState.SYN_RECV,
                TcpStates.next(ConnectionState.SYN_RECV, out, false, TcpStates.SYN | TcpStates.ACK));
        assertEquals(ConnectionState.ESTABLISHED, TcpStates.next(ConnectionState.SYN_RECV, in, false, TcpStates.ACK));
        assertEquals(ConnectionState.CLOSE_WAIT,
                TcpStates.next(ConnectionState.ESTABLISHED, in, false, TcpStates.FIN | TcpStates.ACK));
        assertEquals(ConnectionState.TIME_WAIT, TcpStates.next(ConnectionState.CLOSE_WAIT, out, false, TcpStates.FIN));
        // Direct routing: replies never seen, INPUT-ONLY rows.
        assertEquals(ConnectionState.FIN_WAIT, TcpStates.next(ConnectionState.ESTABLISHED, in, true, TcpStates.FIN));
        assertEquals(ConnectionState.CLOSE, TcpStates.next(ConnectionState.SYNACK, in, true, TcpStates.RST));
        assertEquals(ConnectionState.SYN_RECV, TcpStates.next(ConnectionState.SYNACK, in, false, TcpStates.RST));
        assertEquals(ConnectionState.CLOSE, TcpStates.next(ConnectionState.ESTABLISHED, in, false, 0), "no flags: CLOSE");
    }

    @Test
    void directRoutingConnectionWalksInputOnlyRows() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.DROUTE, 1)));
        Connection c = table.schedule(table.virtualService(vip), flow(vip, "192.0.2.1", 40000)).connection();
        table.tcpSegment(c, TcpStates.Direction.INPUT, TcpStates.SYN);
        table.tcpSegment(c, TcpStates.Direction.INPUT, TcpStates.ACK);
        assertEquals(ConnectionState.ESTABLISHED, c.state());
        table.tcpSegment(c, TcpStates.Direction.INPUT, TcpStates.FIN | TcpStates.ACK);
        assertEquals(ConnectionState.FIN_WAIT, c.state());
        assertEquals(Table.Reuse.SCHEDULE.equals(table.reuse(c)), false, "FIN_WAIT is reused only with bit 2");
        table.sysctls().set("conn_reuse_mode", 3);
        assertEquals(Table.Reuse.SCHEDULE, table.reuse(c));
    }

    @Test
    void serviceOrderIsFamilyProtocolAddressPort() throws Exception {
        for (ServiceKey k : List.of(tcp("2001:db8::1", 80), udp("10.0.0.1", 53), tcp("192.168.0.1", 80),
                tcp("10.0.0.1", 443), tcp("10.0.0.1", 80))) {
            table.apply(new AddService(rr(k)));
        }
        assertEquals(List.of("TCP 10.0.0.1:80", "TCP 10.0.0.1:443", "TCP 192.168.0.1:80", "UDP 10.0.0.1:53",
                "TCP [2001:db8::1]:80"), table.services().stream().map(s -> s.key().toString()).toList());
    }
}
