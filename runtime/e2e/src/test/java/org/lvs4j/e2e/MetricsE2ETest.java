package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance's admin server on 127.0.0.1 ({@code --admin-port}): {@code /metrics} in the Prometheus text format,
 * accepted by {@code promtool check metrics}, with counters that move with the traffic through a full-NAT service.
 */
class MetricsE2ETest {

    static final String VIP = "127.7.140.1";
    static final int PORT = 18140;
    @TempDir
    Path tmp;
    private final Backends backends = new Backends();
    private Appliance a;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        backends.close();
    }

    static String sample(String text, String nameAndLabels) {
        return text.lines().filter(l -> l.startsWith(nameAndLabels + " "))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse(null);
    }

    @Test
    void metricsDescribeTheTableAndCountTheTraffic() throws Exception {
        backends.start("m1", "127.0.0.51", PORT);
        backends.start("m2", "127.0.0.52", PORT);
        // a second service, from ldirectord.cf, whose real server is checked every second (TCP connect)
        Path cf = tmp.resolve("ldirectord.cf");
        Files.writeString(cf, """
                checktimeout=1
                checkinterval=1
                virtual=%s:%d
                        real=127.0.0.51:%d fullnat
                        checktype=connect
                        scheduler=rr
                """.formatted(VIP, PORT + 1, PORT));
        int admin = Appliance.freePort();
        a = new Appliance(tmp.resolve("d")).start(List.of("--admin-port", String.valueOf(admin), "--config",
                cf.toString()));
        a.ctl("ipvsadm", "-A", "-t", VIP + ":" + PORT, "-s", "rr").ok();
        for (String rs : List.of("127.0.0.51", "127.0.0.52")) {
            a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", rs + ":" + PORT, "-b").ok();
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build();
        String svc = "protocol=\"tcp\",vip=\"" + VIP + "\",port=\"" + PORT + "\"";

        HttpResponse<String> first = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, first.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                first.headers().firstValue("content-type").orElse("").toLowerCase());
        assertEquals("0", sample(first.body(), "lvs4j_virtual_service_connections_total{" + svc + "}"));
        assertEquals("1", sample(first.body(), "lvs4j_real_server_weight{" + svc
                + ",server=\"127.0.0.51\",server_port=\"" + PORT + "\"}"));

        for (int i = 0; i < 10; i++) {
            assertTrue(List.of("m1", "m2").contains(Backends.get(VIP, PORT)));
        }
        String after = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
        assertEquals("10", sample(after, "lvs4j_virtual_service_connections_total{" + svc + "}"));
        assertEquals("5", sample(after, "lvs4j_real_server_connections_total{" + svc
                + ",server=\"127.0.0.52\",server_port=\"" + PORT + "\"}"));
        assertTrue(Long.parseLong(sample(after, "lvs4j_virtual_service_bytes_total{" + svc + ",direction=\"out\"}"))
                > 0, after);

        // check latencies: the connect checks on loopback are counted, each within the 1 s timeout
        String checked = "protocol=\"tcp\",vip=\"" + VIP + "\",port=\"" + (PORT + 1)
                + "\",server=\"127.0.0.51\",server_port=\"" + PORT + "\",check=\"connect\"";
        String[] text = {after};
        Appliance.poll(() -> {
            text[0] = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
            String n = sample(text[0], "lvs4j_check_duration_seconds_count{" + checked + "}");
            return n != null && Long.parseLong(n) >= 2;
        }, "two connect checks counted in lvs4j_check_duration_seconds");
        after = text[0];
        assertEquals(sample(after, "lvs4j_check_duration_seconds_count{" + checked + "}"),
                sample(after, "lvs4j_check_duration_seconds_bucket{" + checked + ",le=\"1\"}"), after);
        assertEquals("0", sample(after, "lvs4j_check_failures_total{" + checked + "}"));

        boolean promtool = Files.isExecutable(Path.of("/usr/bin/promtool"));
        Assumptions.assumeTrue(promtool || "true".equals(System.getenv("CI")),
                "promtool (Debian package prometheus) is not installed");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(after.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String remarks = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), remarks);
        assertEquals("", remarks.trim(), "promtool's remarks");
    }
}
