package org.lvs4j.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.ha.HaState;
import org.lvs4j.api.health.CheckLatency;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.director.internal.Connection;
import org.lvs4j.director.internal.Table;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/** The Prometheus text of a real director table: what it holds, that counters move, and promtool's verdict. */
class MetricsTest {

    record TestFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress,
                    int destinationPort) implements Flow {
    }

    static String sample(String text, String nameAndLabels) {
        return text.lines().filter(l -> l.startsWith(nameAndLabels + " "))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse(null);
    }

    @Test
    void servicesRealServersChecksAndHaAppearAndCountersMoveWithTraffic() throws Exception {
        Table t = new Table(System::nanoTime, a -> false);
        t.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        ServiceKey vip = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.0.0.100"), 80);
        t.apply(new AddService(ServiceConfig.of(vip, "rr")));
        InetAddress rs = InetAddress.getByName("10.0.0.11");
        t.apply(new AddRealServer(vip, RealServerConfig.of(rs, 80, ForwardMethod.DROUTE, 3)));
        long[] buckets = new long[CheckLatency.BOUNDS_NANOS.length];
        java.util.Arrays.fill(buckets, 4);
        buckets[0] = 1; // 1 check within 1 ms, 3 more within 2.5 ms, one beyond 10 s
        CheckLatency latency = new CheckLatency(5, 1, 12_000_000_000L, 1_500_000, buckets);
        List<CheckStatus> checks = List.of(new CheckStatus(vip, rs, 80, "http", "up", 3, "HTTP 200", Instant.now(),
                0, 5, latency));
        GcPauses gc = new GcPauses(false); // this JVM's own collections would change the counts
        gc.record("G1 Young Generation", "end of minor GC", 0.003);
        gc.record("G1 Young Generation", "end of minor GC", 0.02);
        String svc = "protocol=\"tcp\",vip=\"10.0.0.100\",port=\"80\"";
        String server = svc + ",server=\"10.0.0.11\",server_port=\"80\"";

        String before = Metrics.render(t.services(), checks, HaState.MASTER, gc.snapshot());
        assertEquals("0", sample(before, "lvs4j_virtual_service_connections_total{" + svc + "}"));
        assertEquals("3", sample(before, "lvs4j_real_server_weight{" + server + "}"));
        assertEquals("1", sample(before, "lvs4j_real_server_admin_state{" + server + ",state=\"ready\"}"));
        assertEquals("1", sample(before, "lvs4j_check_up{" + server + ",check=\"http\"}"));
        assertEquals("1", sample(before, "lvs4j_ha_state{state=\"master\"}"));
        assertEquals("0", sample(before, "lvs4j_ha_state{state=\"backup\"}"));
        assertTrue(before.contains("\njvm_memory_used_bytes{area=\"heap\"} "), before);
        String check = server + ",check=\"http\"";
        assertEquals("1", sample(before, "lvs4j_check_duration_seconds_bucket{" + check + ",le=\"0.001\"}"));
        assertEquals("4", sample(before, "lvs4j_check_duration_seconds_bucket{" + check + ",le=\"0.0025\"}"));
        assertEquals("4", sample(before, "lvs4j_check_duration_seconds_bucket{" + check + ",le=\"10\"}"));
        assertEquals("5", sample(before, "lvs4j_check_duration_seconds_bucket{" + check + ",le=\"+Inf\"}"));
        assertEquals("12.0", sample(before, "lvs4j_check_duration_seconds_sum{" + check + "}"));
        assertEquals("1", sample(before, "lvs4j_check_failures_total{" + check + "}"));
        String young = "gc=\"G1 Young Generation\",action=\"end of minor GC\"";
        assertEquals("0", sample(before, "jvm_gc_pause_seconds_bucket{" + young + ",le=\"0.001\"}"));
        assertEquals("1", sample(before, "jvm_gc_pause_seconds_bucket{" + young + ",le=\"0.005\"}"));
        assertEquals("2", sample(before, "jvm_gc_pause_seconds_bucket{" + young + ",le=\"0.025\"}"));
        assertEquals("2", sample(before, "jvm_gc_pause_seconds_count{" + young + "}"));

        Connection c = t.schedule(t.virtualService(vip),
                new TestFlow(Protocol.TCP, InetAddress.getByName("10.0.0.50"), 40000, vip.address(), 80))
                .connection();
        c.tcpSegment(true, 0x02);
        c.tcpSegment(true, 0x10);
        c.in(1500);
        c.in(1500);
        String after = Metrics.render(t.services(), checks, HaState.MASTER, gc.snapshot());
        assertEquals("1", sample(after, "lvs4j_virtual_service_connections_total{" + svc + "}"));
        assertEquals("2", sample(after, "lvs4j_real_server_packets_total{" + server + ",direction=\"in\"}"));
        assertEquals("3000", sample(after, "lvs4j_real_server_bytes_total{" + server + ",direction=\"in\"}"));
        assertEquals("1", sample(after, "lvs4j_real_server_active_connections{" + server + "}"));

        promtool(after);
    }

    @Test
    void theJvmsOwnCollectionsAreCounted() throws Exception {
        try (GcPauses gc = new GcPauses()) {
            // A listener of our own, registered after GcPauses: each collector tells its listeners one after another
            // in the order they came, so when this one hears of a collection GcPauses has counted it.
            java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(1);
            javax.management.NotificationListener after = (n, h) -> heard.countDown();
            List<javax.management.NotificationEmitter> emitters = new java.util.ArrayList<>();
            for (var bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                if (bean instanceof javax.management.NotificationEmitter e) {
                    e.addNotificationListener(after, n -> GcPauses.NOTIFICATION.equals(n.getType()), null);
                    emitters.add(e);
                }
            }
            System.gc();
            boolean collected = heard.await((long) (10_000 * Double.parseDouble(
                    System.getenv().getOrDefault("TEST_SLACK", "1"))), java.util.concurrent.TimeUnit.MILLISECONDS);
            for (var e : emitters) {
                e.removeNotificationListener(after);
            }
            assertTrue(collected, "no collection reported within 10 s of System.gc()");
            assertFalse(gc.snapshot().isEmpty(), "GcPauses counted the collection");
            GcPauses.Pauses p = gc.snapshot().get(0);
            // a collection of this small heap takes well under 10 s: every one is within the last bucket
            assertTrue(p.count() >= 1 && p.buckets()[p.buckets().length - 1] == p.count(), p.toString());
        }
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
    }

    /** {@code promtool check metrics} (Debian's prometheus package) must find nothing to say. */
    static void promtool(String text) throws Exception {
        boolean have = Files.isExecutable(Path.of("/usr/bin/promtool"));
        Assumptions.assumeTrue(have || "true".equals(System.getenv("CI")),
                "promtool (Debian package prometheus) is not installed");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "promtool: " + out + "\n" + text);
        assertEquals("", out.trim(), "promtool's remarks");
    }
}
