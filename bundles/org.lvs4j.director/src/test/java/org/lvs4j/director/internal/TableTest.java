package org.lvs4j.director.internal;

import org.lvs4j.api.ConnectionState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.director.internal.Fixtures.flow;
import static org.lvs4j.director.internal.Fixtures.ip;
import static org.lvs4j.director.internal.Fixtures.rr;
import static org.lvs4j.director.internal.Fixtures.server;
import static org.lvs4j.director.internal.Fixtures.tcp;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.AdminState;
import org.lvs4j.api.BatchException;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.TableChange.DeleteRealServer;
import org.lvs4j.api.TableChange.EditRealServer;
import org.lvs4j.api.TableException;
import org.lvs4j.api.TableException.Reason;
import org.lvs4j.director.internal.Fixtures.ManualClock;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/** The table's editing rules: what IPVS refuses, list order, batches, engines and plug-ins coming and going. */
class TableTest {

    private final ManualClock clock = new ManualClock();
    private final Table table = Fixtures.table(clock);
    private final ServiceKey vip = tcp("10.0.0.100", 80);

    private static Reason reason(ThrowingRunnable r) {
        return assertThrows(TableException.class, r::run).reason();
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void refusesWhatIpvsRefuses() throws Exception {
        table.apply(new AddService(rr(vip)));
        assertEquals(Reason.SERVICE_EXISTS, reason(() -> table.apply(new AddService(rr(vip)))));
        assertEquals(Reason.SCHEDULER_NOT_FOUND,
                reason(() -> table.apply(new AddService(ServiceConfig.of(tcp("10.0.0.101", 80), "nosuch")))));
        assertEquals(Reason.NO_SUCH_SERVICE,
                reason(() -> table.apply(new TableChange.DeleteService(tcp("10.0.0.102", 80)))));
        assertEquals(Reason.NO_SUCH_SERVICE, reason(() -> table.apply(
                new AddRealServer(tcp("10.0.0.102", 80), server("10.0.0.1", 80, ForwardMethod.DROUTE, 1)))));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.DROUTE, 1)));
        assertEquals(Reason.DESTINATION_EXISTS, reason(() -> table.apply(
                new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 5)))));
        assertEquals(Reason.NO_SUCH_DESTINATION, reason(() -> table.apply(
                new EditRealServer(vip, server("10.0.0.2", 80, ForwardMethod.DROUTE, 1)))));
        assertEquals(Reason.NO_SUCH_DESTINATION,
                reason(() -> table.apply(new DeleteRealServer(vip, ip("10.0.0.2"), 80))));
        // ip_vs_add_dest: a lower threshold above the upper one is ERANGE, even with no upper threshold.
        assertEquals(Reason.OUT_OF_RANGE, reason(() -> table.apply(new AddRealServer(vip,
                server("10.0.0.3", 80, ForwardMethod.DROUTE, 1).withThresholds(0, 5)))));
        assertEquals(Reason.INVALID, reason(() -> table.apply(
                new AddRealServer(vip, server("224.0.0.1", 80, ForwardMethod.DROUTE, 1)))));
        assertEquals(1, table.services().get(0).realServers().size(), "refused edits change nothing");
    }

    @Test
    void newestRealServerComesFirstAndEditsKeepAdminState() throws Exception {
        table.apply(new AddService(rr(vip)));
        for (String a : List.of("10.0.0.1", "10.0.0.2", "10.0.0.3")) {
            table.apply(new AddRealServer(vip, server(a, 80, ForwardMethod.DROUTE, 1)));
        }
        List<String> order = table.services().get(0).realServers().stream()
                .map(r -> r.config().address().getHostAddress()).toList();
        assertEquals(List.of("10.0.0.3", "10.0.0.2", "10.0.0.1"), order);

        table.apply(new TableChange.SetAdminState(vip, ip("10.0.0.2"), 80, AdminState.DRAIN));
        table.apply(new EditRealServer(vip, server("10.0.0.2", 80, ForwardMethod.DROUTE, 7)));
        RealServerStatus two = table.services().get(0).realServers().get(1);
        assertEquals(7, two.config().weight());
        assertEquals(AdminState.DRAIN, two.adminState());
        // Editing does not move a server in the scheduling order (IPVS's upd_dest).
        assertEquals("10.0.0.2", two.config().address().getHostAddress());
    }

    @Test
    void batchIsAllOrNothing() throws Exception {
        table.apply(new AddService(rr(vip)));
        ServiceKey other = tcp("10.0.0.200", 443);
        List<TableChange> batch = List.of(
                new AddService(rr(other)),
                new AddRealServer(other, server("10.0.0.1", 443, ForwardMethod.MASQ, 1)),
                new AddService(rr(vip)),
                new AddRealServer(other, server("10.0.0.2", 443, ForwardMethod.MASQ, 1)));
        BatchException e = assertThrows(BatchException.class, () -> table.apply(batch));
        assertEquals(2, e.index());
        assertEquals(Reason.SERVICE_EXISTS, e.reason());
        assertEquals(1, table.services().size(), "nothing of the batch was applied");

        // Later changes see earlier ones: add then edit in one batch passes.
        table.apply(List.of(new AddService(rr(other)),
                new AddRealServer(other, server("10.0.0.1", 443, ForwardMethod.MASQ, 1)),
                new EditRealServer(other, server("10.0.0.1", 443, ForwardMethod.MASQ, 3)),
                new TableChange.DeleteService(vip)));
        assertEquals(List.of(other), table.services().stream().map(ServiceStatus::key).toList());
        assertEquals(3, table.services().get(0).realServers().get(0).config().weight());
    }

    @Test
    void flushInBatchForgetsEarlierServices() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(List.of(new TableChange.Flush(), new AddService(rr(vip))));
        assertEquals(1, table.services().size());
        assertTrue(table.services().get(0).realServers().isEmpty());
    }

    @Test
    void aServiceRunsOnOneEngine() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 8080, ForwardMethod.FULLNAT, 1)));
        TableException e = assertThrows(TableException.class,
                () -> table.apply(new AddRealServer(vip, server("10.0.0.2", 80, ForwardMethod.DROUTE, 1))));
        assertEquals(Reason.ENGINE_CONFLICT, e.reason());
        assertTrue(e.getMessage().contains("10.0.0.2:80"), e.getMessage());
        // The only real server may switch engines.
        table.apply(new EditRealServer(vip, server("10.0.0.1", 8080, ForwardMethod.MASQ, 1)));

        ServiceKey v6 = tcp("2001:db8::1", 80);
        table.apply(new AddService(rr(v6)));
        assertEquals(Reason.UNSUPPORTED, reason(() -> table.apply(
                new AddRealServer(v6, server("2001:db8::10", 80, ForwardMethod.DROUTE, 1)))));
        table.apply(new AddRealServer(v6, server("2001:db8::10", 80, ForwardMethod.FULLNAT, 1)));

        ServiceKey any = tcp("10.0.0.100", 0);
        table.apply(new AddService(rr(any).withPersistence(300, 0xffffffff)));
        assertEquals(Reason.UNSUPPORTED, reason(() -> table.apply(
                new AddRealServer(any, server("10.0.0.1", 0, ForwardMethod.FULLNAT, 1)))));
    }

    @Test
    void missingSchedulerIsMarkedAndHeals() throws Exception {
        Table t = new Table(clock, a -> false);
        t.apply(new AddService(rr(vip), true));
        t.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.DROUTE, 1)));
        assertTrue(t.services().get(0).schedulerMissing());
        VirtualService svc = t.virtualService(vip);
        assertEquals(Table.Failure.NO_SCHEDULER, t.schedule(svc, flow(vip, "192.0.2.1", 1000)).failure());
        CompletableFuture<Void> ready = t.schedulerReady(svc);
        assertFalse(ready.isDone());

        RoundRobinScheduler rr = new RoundRobinScheduler();
        t.addScheduler("rr", rr, 0, 7);
        assertTrue(ready.isDone(), "waiting connections go on when the scheduler registers");
        assertFalse(t.services().get(0).schedulerMissing());
        assertNotNull(t.schedule(svc, flow(vip, "192.0.2.1", 1000)).connection());

        t.removeScheduler(rr);
        assertTrue(t.services().get(0).schedulerMissing());
        assertFalse(t.schedulerReady(svc).isDone(), "a fresh wait starts when the scheduler leaves");
        assertEquals(1, t.connections().size(), "existing connections stay");
    }

    @Test
    void higherRankedSchedulerWins() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.DROUTE, 1)));
        VirtualService svc = table.virtualService(vip);
        var first = svc.scheduler;
        RoundRobinScheduler better = new RoundRobinScheduler();
        table.addScheduler("rr", better, 10, 9);
        assertSame(better, svc.schedulerSource);
        table.removeScheduler(better);
        assertNotNull(svc.scheduler);
        assertFalse(svc.scheduler == first, "the remaining scheduler gets a fresh instance");
    }

    @Test
    void deletedServerWithConnectionsComesBackWithItsCounters() throws Exception {
        table.apply(new AddService(rr(vip)));
        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 1)));
        VirtualService svc = table.virtualService(vip);
        Connection c = table.schedule(svc, flow(vip, "192.0.2.1", 1000)).connection();
        table.setState(c, ConnectionState.ESTABLISHED);
        table.apply(new DeleteRealServer(vip, ip("10.0.0.1"), 80));
        assertFalse(c.destinationAvailable());
        assertNull(table.schedule(svc, flow(vip, "192.0.2.1", 1001)).connection());

        table.apply(new AddRealServer(vip, server("10.0.0.1", 80, ForwardMethod.MASQ, 2)));
        RealServerStatus rs = table.services().get(0).realServers().get(0);
        assertEquals(1, rs.activeConns(), "the revived server keeps its connection count");
        assertTrue(c.destinationAvailable());
    }

    @Test
    void changeListenersHearEditsButNotZeroing() throws Exception {
        int[] calls = {0};
        table.addChangeListener(() -> calls[0]++);
        table.apply(new AddService(rr(vip)));
        table.apply(new TableChange.Zero(null));
        assertThrows(TableException.class, () -> table.apply(new AddService(rr(vip))));
        assertEquals(1, calls[0]);
    }

    @Test
    void sysctlsAreRangeChecked() {
        Sysctls s = table.sysctls();
        assertEquals(1, s.get("conn_reuse_mode"));
        s.set("conn_reuse_mode", 3);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> s.set("conn_reuse_mode", 4));
        assertTrue(bad.getMessage().contains("0..3"), bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> s.set("nope", 1));
        assertTrue(unknown.getMessage().contains("expire_nodest_conn"), unknown.getMessage());
        assertEquals(3, s.get("conn_reuse_mode"));
    }
}
