package org.lvs4j.director.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.director.internal.Fixtures.flow;
import static org.lvs4j.director.internal.Fixtures.rr;
import static org.lvs4j.director.internal.Fixtures.server;
import static org.lvs4j.director.internal.Fixtures.tcp;

import java.net.BindException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.BatchException;
import org.lvs4j.api.Engine;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.TableException;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.director.internal.Fixtures.ManualClock;

/** What engines rely on: admission, redispatch, and binding services inside the table edit that needs it. */
class DataPathTest {

    private final ManualClock clock = new ManualClock();
    private final Table table = Fixtures.table(clock);
    private final ServiceKey vip = tcp("127.7.110.1", 23);

    /** Records binds and unbinds; refuses addresses listed in {@code busy}, like a port already in use. */
    static final class Binder implements ServiceBinder {
        final List<String> events = new ArrayList<>();
        final List<ServiceKey> busy = new ArrayList<>();

        @Override
        public void bind(ServiceConfig service) throws Exception {
            if (busy.contains(service.key())) {
                throw new BindException("Address already in use");
            }
            events.add("bind " + service.key());
        }

        @Override
        public void unbind(ServiceKey service) {
            events.add("unbind " + service);
        }
    }

    @Test
    void firstSocketRealServerBindsAndLastUnbinds() throws Exception {
        Binder b = new Binder();
        table.addBinder(Engine.SOCKET, b);
        table.apply(new AddService(rr(vip)));
        assertEquals(List.of(), b.events, "a service without real servers is not bound");
        table.apply(new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1)));
        table.apply(new AddRealServer(vip, server("127.0.0.12", 23, ForwardMethod.FULLNAT, 1)));
        assertEquals(List.of("bind TCP 127.7.110.1:23"), b.events);
        table.apply(new TableChange.DeleteRealServer(vip, Fixtures.ip("127.0.0.11"), 23));
        table.apply(new TableChange.DeleteRealServer(vip, Fixtures.ip("127.0.0.12"), 23));
        assertEquals(List.of("bind TCP 127.7.110.1:23", "unbind TCP 127.7.110.1:23"), b.events);
    }

    @Test
    void bindErrorFailsTheCommandAndChangesNothing() throws Exception {
        Binder b = new Binder();
        b.busy.add(vip);
        table.addBinder(Engine.SOCKET, b);
        table.apply(new AddService(rr(vip)));
        TableException e = assertThrows(TableException.class, () -> table.apply(
                new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1))));
        assertEquals(TableException.Reason.ENGINE_FAILED, e.reason());
        assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        assertTrue(table.services().get(0).realServers().isEmpty());

        ServiceKey other = tcp("127.7.110.2", 80);
        BatchException be = assertThrows(BatchException.class, () -> table.apply(List.of(
                new AddService(rr(other)),
                new AddRealServer(other, server("127.0.0.11", 80, ForwardMethod.FULLNAT, 1)),
                new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1)))));
        assertEquals(2, be.index(), "the change that needed the busy address is named");
        assertEquals(List.of("bind TCP 127.7.110.2:80", "unbind TCP 127.7.110.2:80"), b.events,
                "binds done earlier in the batch are undone");
        assertEquals(1, table.services().size());
    }

    @Test
    void aBinderRegisteredLaterTakesExistingServices() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1)));
        Binder b = new Binder();
        table.addBinder(Engine.SOCKET, b);
        assertEquals(List.of("bind TCP 127.7.110.1:23"), b.events);
    }

    @Test
    void admissionRefusalsSayWhy() throws Exception {
        assertEquals(Admission.Refusal.NO_SERVICE, table.admit(flow(vip, "127.0.0.1", 40000)).refusal());
        table.apply(new AddService(rr(vip)));
        assertEquals(Admission.Refusal.NO_DESTINATION, table.admit(flow(vip, "127.0.0.1", 40000)).refusal());
        Table bare = new Table(clock, a -> true);
        bare.apply(new AddService(rr(vip), true));
        assertEquals(Admission.Refusal.NO_SCHEDULER, bare.admit(flow(vip, "127.0.0.1", 40000)).refusal());
    }

    @Test
    void redispatchAvoidsTriedServersAndRewritesTheTemplate() throws Exception {
        table.apply(new AddService(rr(vip).withPersistence(300, 0xffffffff)));
        for (String a : List.of("127.0.0.11", "127.0.0.12", "127.0.0.13")) {
            table.apply(new AddRealServer(vip, server(a, 23, ForwardMethod.FULLNAT, 1)));
        }
        Entry first = table.admit(flow(vip, "127.0.0.1", 40000)).entry();
        Entry second = table.redispatch(first, flow(vip, "127.0.0.1", 40000), List.of()).entry();
        assertTrue(first.expired());
        assertNotEquals(first.destinationAddress(), second.destinationAddress());
        Entry third = table.redispatch(second, flow(vip, "127.0.0.1", 40000), List.of(first)).entry();
        assertNotEquals(first.destinationAddress(), third.destinationAddress());
        assertNotEquals(second.destinationAddress(), third.destinationAddress());
        Entry next = table.admit(flow(vip, "127.0.0.1", 40001)).entry();
        assertEquals(third.destinationAddress(), next.destinationAddress(), "the client's template now points there");
        Admission none = table.redispatch(third, flow(vip, "127.0.0.1", 40000), List.of(first, second));
        assertNull(none.entry());
        assertEquals(Admission.Refusal.NO_DESTINATION, none.refusal());
    }

    @Test
    void entryCallsKeepStatesAndCounters() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1)));
        Entry e = table.admit(flow(vip, "127.0.0.1", 40000)).entry();
        boolean[] closed = {false};
        e.onExpire(() -> closed[0] = true);
        e.state(org.lvs4j.api.ConnectionState.SYN_RECV);
        e.state(org.lvs4j.api.ConnectionState.ESTABLISHED);
        e.in(100);
        e.out(2000);
        var rs = table.services().get(0).realServers().get(0);
        assertEquals(1, rs.activeConns());
        assertEquals(new org.lvs4j.api.Counters(1, 1, 1, 100, 2000), rs.stats());
        assertFalse(closed[0]);
        e.state(org.lvs4j.api.ConnectionState.CLOSE);
        clock.advanceSeconds(11);
        table.tick();
        assertTrue(closed[0], "the engine hears about expiry");
        assertTrue(e.expired());
    }

    @Test
    void deletingAServerEndsItsEngineConnectionsOnlyWithExpireNodestConn() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("127.0.0.11", 23, ForwardMethod.FULLNAT, 1)));
        table.apply(new AddRealServer(vip, server("127.0.0.12", 23, ForwardMethod.FULLNAT, 1)));
        List<String> ended = new ArrayList<>();
        for (int port = 40000; port < 40004; port++) {
            Entry e = table.admit(flow(vip, "127.0.0.1", port)).entry();
            e.state(org.lvs4j.api.ConnectionState.ESTABLISHED);
            String id = e.destinationAddress().getHostAddress() + " " + port;
            e.onExpire(() -> ended.add(id));
        }
        table.apply(new TableChange.DeleteRealServer(vip, Fixtures.ip("127.0.0.12"), 23));
        assertEquals(List.of(), ended, "expire_nodest_conn 0: the deleted server's connections go on");
        table.sysctls().set("expire_nodest_conn", 1);
        table.apply(new TableChange.DeleteRealServer(vip, Fixtures.ip("127.0.0.11"), 23));
        assertEquals(2, ended.size(), "expire_nodest_conn 1: its connections end at once: " + ended);
        assertTrue(ended.stream().allMatch(x -> x.startsWith("127.0.0.11 ")), ended.toString());
    }

    @Test
    void packetLookupsFindEntriesByBothDirectionsWithoutNewKeys() throws Exception {
        ServiceKey web = tcp("10.99.0.100", 80);
        table.apply(new AddService(rr(web)));
        table.apply(new AddRealServer(web, server("10.99.1.11", 8080, ForwardMethod.MASQ, 1)));
        ServiceKey dr = tcp("10.99.0.100", 443);
        table.apply(new AddService(rr(dr)));
        table.apply(new AddRealServer(dr, server("10.99.1.12", 443, ForwardMethod.DROUTE, 1)));
        int client = 0x0a63000a; // 10.99.0.10
        int vip = 0x0a630064;
        Entry nat = table.admit(flow(web, "10.99.0.10", 40000)).entry();
        Entry direct = table.admit(flow(dr, "10.99.0.10", 40001)).entry();
        assertTrue(nat == table.find4(6, client, 40000, vip, 80));
        assertTrue(direct == table.find4(6, client, 40001, vip, 443));
        assertNull(table.find4(17, client, 40000, vip, 80), "the protocol is part of the key");
        assertNull(table.find4(6, client, 40002, vip, 80));
        assertTrue(nat == table.findReply4(6, 0x0a63010b, 8080, client, 40000), "a NAT reply finds its entry");
        assertNull(table.findReply4(6, 0x0a63010c, 443, client, 40001), "direct routing has no replies to find");
        assertEquals(80, nat.virtualPort());
        assertFalse(nat.local());

        nat.tcpSegment(true, org.lvs4j.director.internal.TcpStates.SYN);
        assertEquals(org.lvs4j.api.ConnectionState.SYN_RECV, nat.state());
        nat.tcpSegment(false, org.lvs4j.director.internal.TcpStates.SYN | org.lvs4j.director.internal.TcpStates.ACK);
        nat.tcpSegment(true, org.lvs4j.director.internal.TcpStates.ACK);
        assertEquals(org.lvs4j.api.ConnectionState.ESTABLISHED, nat.state());
        nat.expire();
        assertNull(table.findReply4(6, 0x0a63010b, 8080, client, 40000), "an expired entry leaves the reply index");
        assertNull(table.find4(6, client, 40000, vip, 80));
    }
}
