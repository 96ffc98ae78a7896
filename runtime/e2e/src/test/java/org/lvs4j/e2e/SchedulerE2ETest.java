package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.scheduler.fo.WeightedFailoverScheduler;
import org.lvs4j.scheduler.lc.LeastConnectionScheduler;
import org.lvs4j.scheduler.nq.NeverQueueScheduler;
import org.lvs4j.scheduler.ovf.WeightedOverflowScheduler;
import org.lvs4j.scheduler.sed.ShortestExpectedDelayScheduler;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;
import org.lvs4j.scheduler.wlc.WeightedLeastConnectionScheduler;

/**
 * The schedulers through the socket engine of the exported appliance: held connections against backends that name
 * themselves, client addresses from all over 127.0.0.0/8, and scheduler bundles deployed, replaced and removed while
 * connections flow.
 */
class SchedulerE2ETest {

    @TempDir
    Path tmp;

    private Appliance a;
    private final Backends backends = new Backends();
    private final List<Backends.Greeted> held = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Backends.Greeted g : held) {
            g.close();
        }
        if (a != null) {
            a.close();
        }
        backends.close();
    }

    private void service(String vip, int port, String scheduler, String... servers) throws Exception {
        a.ctl("ipvsadm", "-A", "-t", vip + ":" + port, "-s", scheduler).ok();
        for (String s : servers) {
            String[] rw = s.split("=");
            a.ctl("ipvsadm", "-a", "-t", vip + ":" + port, "-r", rw[0] + ":" + port, "-b", "-w", rw[1]).ok();
        }
    }

    /**
     * What IPVS would do: the same scheduler outside the director, fed the same servers in the same order, each pick
     * bound and established as the held connection is. Null marks "no destination available".
     */
    private static List<String> ipvsOrder(Scheduler scheduler, Map<String, Integer> weights, int connections) {
        SimulatedService sim = new SimulatedService(scheduler);
        weights.forEach(sim::add);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SimulatedServer s = sim.pick();
            names.add(s == null ? null : s.name());
            if (s != null) {
                sim.bind(s);
                sim.establish(s);
            }
        }
        return names;
    }

    @Test
    void connectionCountSchedulersSpreadHeldConnectionsInIpvsOrder() throws Exception {
        int port = 18090;
        backends.greeter("g1", "127.0.0.61", port);
        backends.greeter("g2", "127.0.0.62", port);
        backends.greeter("g3", "127.0.0.63", port);
        Map<String, Integer> weights = new java.util.LinkedHashMap<>();
        weights.put("g1", 1);
        weights.put("g2", 2);
        weights.put("g3", 3);
        a = new Appliance(tmp.resolve("d")).start();
        Map<String, Scheduler> schedulers = new java.util.LinkedHashMap<>();
        schedulers.put("lc", new LeastConnectionScheduler());
        schedulers.put("wlc", new WeightedLeastConnectionScheduler());
        schedulers.put("sed", new ShortestExpectedDelayScheduler());
        schedulers.put("nq", new NeverQueueScheduler());
        schedulers.put("fo", new WeightedFailoverScheduler());
        schedulers.put("ovf", new WeightedOverflowScheduler());
        int vip = 1;
        for (var e : schedulers.entrySet()) {
            String address = "127.7.120." + vip++;
            service(address, port, e.getKey(), "127.0.0.61=1", "127.0.0.62=2", "127.0.0.63=3");
            List<String> expected = ipvsOrder(e.getValue(), weights, 12);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Backends.Greeted g = Backends.greet("127.0.0.1", address, port);
                held.add(g);
                got.add(g.name());
            }
            assertEquals(expected, got, e.getKey() + ": held connections in IPVS's order (null: refused at once)");
        }
        assertTrue(ipvsOrder(new WeightedOverflowScheduler(), weights, 12).contains(null),
                "the ovf run includes connections refused for want of a destination");
    }

    @Test
    void shKeepsEachClientAddressOnOneServer() throws Exception {
        int port = 18091;
        backends.greeter("h1", "127.0.0.71", port);
        backends.greeter("h2", "127.0.0.72", port);
        backends.greeter("h3", "127.0.0.73", port);
        a = new Appliance(tmp.resolve("d")).start();
        service("127.7.121.1", port, "sh", "127.0.0.71=1", "127.0.0.72=1", "127.0.0.73=1");
        Set<String> used = new HashSet<>();
        for (int c = 1; c <= 20; c++) {
            String client = "127.0.3." + c;
            Set<String> servers = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                try (Backends.Greeted g = Backends.greet(client, "127.7.121.1", port)) {
                    servers.add(g.name());
                }
            }
            assertEquals(1, servers.size(), client + " went to " + servers);
            used.addAll(servers);
        }
        assertEquals(3, used.size(), "20 clients spread over all three servers: " + used);
    }

    @Test
    void removingOneOfTenMhServersMovesFewOfTheOthersClients() throws Exception {
        int port = 18092;
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            backends.greeter("m" + i, "127.0.0." + (80 + i), port);
            servers.add("127.0.0." + (80 + i) + "=1");
        }
        a = new Appliance(tmp.resolve("d")).start();
        service("127.7.122.1", port, "mh", servers.toArray(String[]::new));
        int clients = 10_000;
        String[] before = new String[clients];
        for (int i = 0; i < clients; i++) {
            try (Backends.Greeted g = Backends.greet(client(i), "127.7.122.1", port)) {
                before[i] = g.name();
            }
        }
        a.ctl("ipvsadm", "-d", "-t", "127.7.122.1:" + port, "-r", "127.0.0.83:" + port).ok();
        int moved = 0;
        int gone = 0;
        for (int i = 0; i < clients; i++) {
            try (Backends.Greeted g = Backends.greet(client(i), "127.7.122.1", port)) {
                assertNotEquals("m3", g.name());
                if ("m3".equals(before[i])) {
                    gone++;
                } else if (!before[i].equals(g.name())) {
                    moved++;
                }
            }
        }
        System.out.printf("mh: %d of %d clients were on the removed server; %d of the others moved%n", gone,
                clients, moved);
        assertTrue(moved <= clients * (1.0 / 10 + 0.01), "clients of the other servers that moved: " + moved);
    }

    /** Client address i: 127.10.x.y, all distinct. */
    private static String client(int i) {
        return "127.10." + (i >>> 8) + "." + (i & 0xff);
    }

    private Path exported(String bsn) throws Exception {
        try (var s = Files.list(Appliance.HOME.resolve("runtime/target/export/lvs4j"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(bsn + "-")).findFirst().orElseThrow();
        }
    }

    @Test
    void schedulerDeployedReplacedAndRemovedUnderLoadFailsNothing() throws Exception {
        int port = 18093;
        backends.start("d1", "127.0.0.91", port);
        backends.start("d2", "127.0.0.92", port);
        a = new Appliance(tmp.resolve("d")).start();
        a.ctl("sysctl", "plugin_wait_ms", "10000").ok(); // each step below leaves sed missing for well under that
        service("127.7.123.1", port, "sed", "127.0.0.91=1", "127.0.0.92=1");
        Path jar = exported("org.lvs4j.scheduler.sed");
        Path deployDir = tmp.resolve("d/deploy");
        List<String> log = new ArrayList<>();
        long start = System.nanoTime();
        Thread operator = Thread.ofPlatform().start(() -> {
            try {
                log.add(a.ctl("undeploy", "sed").ok().out());                       // the built-in goes
                log.add(a.ctl("ipvsadm", "-L", "-n").ok().out());
                log.add(a.ctl("deploy", jar.toString()).ok().out());                // into STATE/deploy
                log.add(a.ctl("deploy", jar.toString()).ok().out());                // replaced in place
                log.add(a.ctl("undeploy", "sed").ok().out());                       // out of the folder
                Files.copy(jar, deployDir.resolve("sed.jar"));                      // dropped in by hand
                Appliance.poll(() -> a.ctl("schedulers").out().contains("sed "), "sed from the folder");
                log.add(a.ctl("schedulers").ok().out());
                Files.delete(deployDir.resolve("sed.jar"));                         // taken out by hand
                Appliance.poll(() -> a.ctl("ipvsadm", "-L", "-n").out().contains("sed [no scheduler]"),
                        "sed gone with its file");
                log.add(a.ctl("deploy", jar.toString()).ok().out());                // and back
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // 8 clients, one request each every 40 ms: 200 new connections per second, until the operator is done.
        List<Load.Shot> shots = Load.run("127.7.123.1", port, 8, 40, () -> !operator.isAlive());
        operator.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("sed undeployed, deployed twice, undeployed, dropped in and out, deployed: "
                + "%d requests in %.1f s%n", shots.size(), seconds);
        assertEquals(List.of(), shots.stream().filter(s -> !s.ok()).toList(), "no request failed");
        assertTrue(shots.size() >= 150 * seconds / Appliance.slack(),
                "about 200 new connections per second: " + shots.size() + " in " + seconds + " s");
        assertTrue(log.get(0).startsWith("undeployed org.lvs4j.scheduler.sed "), log.get(0));
        assertTrue(log.get(1).contains("TCP  127.7.123.1:" + port + " sed [no scheduler]"), log.get(1));
        assertTrue(log.get(2).matches("deployed org.lvs4j.scheduler.sed \\S+: scheduler sed\\n"), log.get(2));
        assertTrue(log.get(3).matches("deployed org.lvs4j.scheduler.sed \\S+: scheduler sed\\n"), log.get(3));
        assertTrue(log.get(4).startsWith("undeployed org.lvs4j.scheduler.sed "), log.get(4));
        assertTrue(log.get(5).matches("(?s).*\\nsed +org\\.lvs4j\\.scheduler\\.sed +\\S+\\n.*"), log.get(5));
        assertTrue(log.get(6).matches("deployed org.lvs4j.scheduler.sed \\S+: scheduler sed\\n"), log.get(6));
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  127.7.123.1:" + port + " sed\n"), "healed");
        // Requests one after another leave no active connection behind: sed's tie goes to the newest server.
        assertEquals("d2", Backends.get("127.7.123.1", port));
    }
}
