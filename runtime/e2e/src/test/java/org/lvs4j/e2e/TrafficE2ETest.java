package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through the exported appliance's socket engine: the how-to's telnet service, weights, a backend
 * killed under load, the wrr bundle updated under load, stopped and started. Loopback addresses only.
 */
class TrafficE2ETest {

    @TempDir
    Path tmp;

    private Appliance a;
    private final Backends backends = new Backends();

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        backends.close();
    }

    private static Map<String, Integer> count(List<String> names) {
        Map<String, Integer> m = new HashMap<>();
        names.forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }

    private void wrrService(String vip, int port, String... servers) throws Exception {
        a.ctl("ipvsadm", "-A", "-t", vip + ":" + port, "-s", "wrr").ok();
        for (int i = 0; i < servers.length; i++) {
            String[] s = servers[i].split("=");
            a.ctl("ipvsadm", "-a", "-t", vip + ":" + port, "-r", s[0] + ":" + port, "-b", "-w", s[1]).ok();
        }
    }

    @Test
    void howToTelnetServiceCarriesTraffic() throws Exception {
        Appliance.needRoot("the how-to's service and real servers use port 23 (telnet)");
        backends.start("rs11", "127.0.0.11", 23);
        backends.start("rs12", "127.0.0.12", 23);
        a = new Appliance(tmp.resolve("d")).start();
        a.ctl("ipvsadm", "-A", "-t", "127.7.110.1:telnet", "-s", "rr").ok();
        a.ctl("ipvsadm", "-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.11:23", "-b", "-w", "1").ok();
        a.ctl("ipvsadm", "-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.12:23", "-b", "-w", "1").ok();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            got.add(Backends.get("127.7.110.1", 23));
        }
        assertEquals(List.of("rs12", "rs11", "rs12", "rs11", "rs12", "rs11", "rs12", "rs11", "rs12", "rs11"), got,
                "rr, most recently added server first");
        String stats = a.ctl("ipvsadm", "-L", "-n", "--stats").ok().out();
        assertTrue(stats.contains("TCP  127.7.110.1:23                     10       10       10"), stats);
        assertTrue(stats.contains("  -> 127.0.0.11:23                       5        5        5"), stats);
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out()
                .contains("  -> 127.0.0.11:23                FullNat 1      0          "), "no [no forwarder] now");
    }

    @Test
    void thousandRequestsSpreadAsTheWeightsSay() throws Exception {
        backends.start("w3", "127.0.0.21", 18080);
        backends.start("w2", "127.0.0.22", 18080);
        backends.start("w1", "127.0.0.23", 18080);
        a = new Appliance(tmp.resolve("d")).start();
        wrrService("127.7.110.2", 18080, "127.0.0.21=3", "127.0.0.22=2", "127.0.0.23=1");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            got.add(Backends.get("127.7.110.2", 18080));
        }
        Map<String, Integer> c = count(got);
        assertTrue(Math.abs(c.get("w3") - 500) <= 2, c.toString());
        assertTrue(Math.abs(c.get("w2") - 333) <= 2, c.toString());
        assertTrue(Math.abs(c.get("w1") - 167) <= 2, c.toString());
    }

    @Test
    void backendKilledMidRunFailsNoLaterConnection() throws Exception {
        backends.start("k1", "127.0.0.31", 18081);
        Backends.Backend victim = backends.start("k2", "127.0.0.32", 18081);
        backends.start("k3", "127.0.0.33", 18081);
        a = new Appliance(tmp.resolve("d")).start();
        a.ctl("ipvsadm", "-A", "-t", "127.7.110.3:18081", "-s", "rr").ok();
        for (String rs : List.of("127.0.0.31", "127.0.0.32", "127.0.0.33")) {
            a.ctl("ipvsadm", "-a", "-t", "127.7.110.3:18081", "-r", rs + ":18081", "-b").ok();
        }
        long start = System.nanoTime();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        List<Load.Shot> shots = Load.shots();
        Thread killer = Thread.ofPlatform().start(() -> {
            try {
                Appliance.poll(() -> shots.size() >= 100, "load flowing before the kill");
                victim.kill();
                // Connections that reached the backend before its listener closed are in flight, not "after".
                killedAt.set(System.nanoTime());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Load.run("127.7.110.3", 18081, 4, 2, start + TimeUnit.MILLISECONDS.toNanos(2000), shots);
        killer.join();
        long kill = killedAt.get();
        List<Load.Shot> after = shots.stream().filter(s -> s.startNanos() > kill).toList();
        List<Load.Shot> inFlight = shots.stream().filter(s -> s.startNanos() <= kill && s.endNanos() >= kill && !s.ok())
                .toList();
        List<Load.Shot> failedAfter = after.stream().filter(s -> !s.ok()).toList();
        System.out.printf("backend kill: %d requests, %d after the kill, %d in-flight failures (allowed)%n",
                shots.size(), after.size(), inFlight.size());
        assertTrue(after.size() > 100, "enough requests after the kill: " + after.size());
        assertEquals(List.of(), failedAfter, "no connection started after the kill fails");
    }

    private Path wrrJar() throws IOException {
        try (var s = Files.list(Appliance.HOME.resolve("runtime/target/export/lvs4j"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("org.lvs4j.scheduler.wrr-")).findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void wrrBundleUpdatedUnderLoadFailsNothing() throws Exception {
        backends.start("u1", "127.0.0.41", 18082);
        backends.start("u2", "127.0.0.42", 18082);
        a = new Appliance(tmp.resolve("d")).start();
        wrrService("127.7.110.4", 18082, "127.0.0.41=2", "127.0.0.42=1");
        long start = System.nanoTime();
        List<Load.Shot> shots = Load.shots();
        Thread updater = Thread.ofPlatform().start(() -> {
            try {
                Appliance.poll(() -> shots.size() >= 150, "load flowing before the first update");
                for (int i = 0; i < 3; i++) {
                    a.ctl("bundle", "update", "org.lvs4j.scheduler.wrr", wrrJar().toString()).ok();
                    int seen = shots.size();
                    Appliance.poll(() -> shots.size() >= seen + 50, "load between updates");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // 4 clients, one request each every 20 ms: 200 new connections per second.
        Load.run("127.7.110.4", 18082, 4, 20, start + TimeUnit.MILLISECONDS.toNanos(3000), shots);
        updater.join();
        List<Load.Shot> failed = shots.stream().filter(s -> !s.ok()).toList();
        System.out.printf("wrr updated 3 times under load: %d requests%n", shots.size());
        assertTrue(shots.size() >= 450, "about 200/s for 3 s: " + shots.size());
        assertEquals(List.of(), failed);
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  127.7.110.4:18082 wrr\n"));
    }

    @Test
    void wrrBundleStoppedHoldsThenResetsAndStartedHeals() throws Exception {
        backends.start("s1", "127.0.0.51", 18083);
        a = new Appliance(tmp.resolve("d")).start();
        wrrService("127.7.110.5", 18083, "127.0.0.51=1");
        assertEquals("s1", Backends.get("127.7.110.5", 18083));
        a.ctl("bundle", "stop", "org.lvs4j.scheduler.wrr").ok();
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  127.7.110.5:18083 wrr [no scheduler]"));
        long t0 = System.nanoTime();
        try (Socket s = new Socket("127.7.110.5", 18083)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
            int first;
            try {
                first = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                first = -2;
            }
            long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(first < 0, "no answer while the scheduler is missing");
            assertTrue(heldMs >= 1800, "held for plugin_wait_ms (2000) before the reset: " + heldMs + " ms");
        }
        a.ctl("bundle", "start", "org.lvs4j.scheduler.wrr").ok();
        assertEquals("s1", Backends.get("127.7.110.5", 18083));
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  127.7.110.5:18083 wrr\n"), "healed");
    }

    @Test
    void demoRunsUnprivilegedAndServesThreeTwoOne() throws Exception {
        Appliance.needRoot("setpriv switches to the nobody user");
        // The demo runs as nobody from a copy of the launcher and the appliance it can read.
        Path home = Files.createTempDirectory("lvs4j-demo-home");
        try {
            Files.copy(Appliance.SCRIPT, home.resolve("lvs4j"));
            Path target = Files.createDirectories(home.resolve("runtime/target"));
            Files.copy(Appliance.HOME.resolve("runtime/target/lvs4j.jar"), target.resolve("lvs4j.jar"));
            for (Path p : List.of(home, home.resolve("runtime"), target)) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.setPosixFilePermissions(target.resolve("lvs4j.jar"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Process demo = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    home.resolve("lvs4j").toString(), "demo")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("demo.txt").toFile()).start();
            try {
                long deadline = System.nanoTime() + Appliance.scaled(Duration.ofSeconds(60)).toNanos();
                String first = null;
                while (first == null) {
                    try {
                        first = Backends.get("127.0.0.1", 8080);
                    } catch (IOException e) {
                        if (!demo.isAlive() || System.nanoTime() > deadline) {
                            throw new AssertionError("demo did not come up: " + Files.readString(tmp.resolve("demo.txt")));
                        }
                        Thread.sleep(100);
                    }
                }
                List<String> got = new ArrayList<>(List.of(first));
                for (int i = 1; i < 12; i++) {
                    got.add(Backends.get("127.0.0.1", 8080));
                }
                assertEquals(Map.of("demo-1", 6, "demo-2", 4, "demo-3", 2), count(got));
                String user = Files.readString(Path.of("/proc/" + demo.pid() + "/status")).lines()
                        .filter(l -> l.startsWith("Uid:")).findFirst().orElse("");
                assertTrue(user.matches("Uid:\\s+65534\\s.*"), "runs as nobody: " + user);
            } finally {
                demo.destroy();
                if (!demo.waitFor(30, TimeUnit.SECONDS)) {
                    demo.destroyForcibly();
                }
            }
        } finally {
            try (var walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
