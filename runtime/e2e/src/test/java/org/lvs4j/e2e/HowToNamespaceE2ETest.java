package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LVS how-to's ldirectord sample, unchanged, run by a director inside a network namespace this test creates,
 * which owns 192.168.7.0/24 (the director at .1 with the VIP .110), linked by a veth pair to a second namespace
 * holding the three real servers .11-.13 (HTTP servers answering "Test Page"), as the how-to's separate machines.
 * The how-to's addresses exist only in these namespaces. The servers are gate (direct routing) servers: the monitor
 * checks and manages them here; carrying their traffic is the packet engine's job.
 */
class HowToNamespaceE2ETest {

    @TempDir
    Path tmp;

    private final String ns = "lvs4j-howto-" + ProcessHandle.current().pid();
    private final String rsNs = "lvs4j-howto-rs-" + ProcessHandle.current().pid();
    private final Map<String, Process> servers = new HashMap<>();
    private Appliance a;
    private boolean created;

    @AfterEach
    void cleanUp() throws Exception {
        if (a != null) {
            a.close();
        }
        for (Process p : servers.values()) {
            stop(p);
        }
        if (created) {
            run("ip", "netns", "del", ns);
            run("ip", "netns", "del", rsNs);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    private void startServer(String address) throws Exception {
        Path source = Appliance.HOME.resolve("runtime/e2e/src/test/resources/PageServer.java");
        Process p = new ProcessBuilder("ip", "netns", "exec", rsNs, Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), source.toString(), address, "80", "Test Page")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("rs-" + address + ".txt").toFile()).start();
        servers.put(address, p);
        Appliance.poll(() -> Files.readString(tmp.resolve("rs-" + address + ".txt")).contains("listening")
                || !p.isAlive(), address + " listening");
        assertTrue(p.isAlive(), "real server " + address + " runs: "
                + Files.readString(tmp.resolve("rs-" + address + ".txt")));
    }

    private String listing() throws Exception {
        return a.ctl("ipvsadm", "-L", "-n").ok().out();
    }

    /** The listing has {@code address:80} with this forwarding method and weight. */
    private boolean has(String address, String method, int weight) throws Exception {
        return listing().matches("(?s).*\\n  -> " + address.replace(".", "\\.") + ":80 +" + method + " +" + weight
                + " .*");
    }

    @Test
    void howToSampleRunsUnchangedInsideANamespaceWithItsRealServers() throws Exception {
        Appliance.needRoot("creates the network namespace that owns 192.168.7.0/24");
        run("ip", "netns", "add", ns);
        run("ip", "netns", "add", rsNs);
        created = true;
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", rsNs, "link", "set", "lo", "up");
        run("ip", "-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan1", "netns", rsNs);
        run("ip", "-n", ns, "link", "set", "lan0", "up");
        run("ip", "-n", rsNs, "link", "set", "lan1", "up");
        run("ip", "-n", ns, "addr", "add", "192.168.7.1/24", "dev", "lan0");
        run("ip", "-n", ns, "addr", "add", "192.168.7.110/32", "dev", "lan0");
        run("ip", "-n", rsNs, "addr", "add", "192.168.7.11/24", "dev", "lan1");
        for (String host : List.of("12", "13")) {
            run("ip", "-n", rsNs, "addr", "add", "192.168.7." + host + "/32", "dev", "lan1");
        }
        for (String rs : List.of("192.168.7.11", "192.168.7.12", "192.168.7.13")) {
            startServer(rs);
        }
        Path cf = tmp.resolve("ldirectord.cf");
        Files.writeString(cf, HealthE2ETest.HOWTO);
        a = new Appliance(tmp.resolve("d")).start(List.of("ip", "netns", "exec", ns),
                List.of("--config", cf.toString()));

        Appliance.poll(() -> {
            return listing().contains("TCP  192.168.7.110:80 rr\n") && has("192.168.7.11", "Route", 1)
                    && has("192.168.7.12", "Route", 1) && has("192.168.7.13", "Route", 1);
        }, "the three real servers checked and in at weight 1");

        long t0 = System.nanoTime();
        stop(servers.remove("192.168.7.11"));
        Appliance.poll(() -> has("192.168.7.11", "Route", 0),
                "192.168.7.11 quiescent (weight 0, quiescent=yes)");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms <= (1000 + 3000) * Appliance.slack(), "checkinterval x failurecount + checktimeout: " + ms);

        stop(servers.remove("192.168.7.12"));
        stop(servers.remove("192.168.7.13"));
        Appliance.poll(() -> listing().contains("  -> 127.0.0.1:80"), "the fallback in when all are down");
        startServer("192.168.7.12");
        Appliance.poll(() -> has("192.168.7.12", "Route", 1) && !listing().contains("  -> 127.0.0.1:80"),
                "192.168.7.12 back and the fallback out");
        List<String> states = new ArrayList<>();
        for (String line : a.ctl("checks").ok().out().split("\n")) {
            states.add(line.replaceAll(" +", " "));
        }
        assertTrue(states.stream().anyMatch(l -> l.contains("192.168.7.12:80 http up")), states.toString());
        assertTrue(states.stream().anyMatch(l -> l.contains("192.168.7.11:80 http down")), states.toString());
    }
}
