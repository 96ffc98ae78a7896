package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two directors with {@code ./lvs4j run --ha-dir} in the repository's topology (keepalive 100 ms, deadtime 500 ms,
 * auto_failback on, dir1 owning the VIP 10.99.0.100), each with the same direct-routing service to rs1 and rs2: the
 * owner takes the VIP, a SIGKILL of it moves the VIP and the traffic to dir2 within a second while a client keeps
 * making requests, the owner comes back and gets the VIP handed back, and a graceful stop hands it over at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaFailoverE2ETest {

    static final String P = "l4jh" + ProcessHandle.current().pid() + "-";
    static final String VIP = "10.99.0.100";
    static Path work;
    static Topology topology;
    static boolean up;
    static Appliance dir1;
    static Appliance dir2;

    @BeforeAll
    static void topology() throws Exception {
        Appliance.needRoot("network namespaces and VIP takeover");
        work = Files.createTempDirectory("lvs4j-ha-e2e");
        topology = new Topology(P, work);
        up = true;
        topo("up");
        topo("vip", "none"); // the HA module places the VIP
        for (String rs : List.of("rs1", "rs2")) {
            Path site = work.resolve(rs);
            Files.createDirectories(site);
            Files.writeString(site.resolve("index.html"), rs + "\n");
            Topology.sh("ip", "netns", "exec", P + rs, Appliance.SCRIPT.toString(), "realserver",
                    "--mode", "dr", "--vip", VIP);
            topo("spawn", rs, "http-" + rs, "python3", "-m", "http.server", "80", "--directory", site.toString());
        }
        dir1 = start("dir1");
        dir2 = start("dir2");
    }

    static Appliance start(String self) throws Exception {
        String peer = self.equals("dir1") ? "10.99.0.3" : "10.99.0.2";
        Path ha = work.resolve("ha-" + self);
        Files.createDirectories(ha);
        Files.writeString(ha.resolve("ha.cf"), """
                keepalive 100ms
                deadtime 500ms
                initdead 2
                udpport 1694
                ucast eth0 %s
                auto_failback on
                node dir1 dir2
                self %s
                """.formatted(peer, self));
        Path keys = ha.resolve("authkeys");
        Files.writeString(keys, "auth 1\n1 sha256 e2e-secret\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ha.resolve("haresources"), "dir1 IPaddr::" + VIP + "/24/eth0 lvs4j\n");
        // a killed director leaves its control socket behind; the test waits for the new one
        Files.deleteIfExists(work.resolve("state-" + self).resolve("ctl.sock"));
        Appliance a = new Appliance(work.resolve("state-" + self)).start(List.of("ip", "netns", "exec", P + self),
                List.of("--ha-dir", ha.toString()));
        try {
            if (a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  " + VIP)) {
                return a; // restarted: its saved table is back
            }
            a.ctl("ipvsadm", "-A", "-t", VIP + ":80", "-s", "rr").ok();
            a.ctl("ipvsadm", "-a", "-t", VIP + ":80", "-r", "10.99.1.11", "-g").ok();
            a.ctl("ipvsadm", "-a", "-t", VIP + ":80", "-r", "10.99.1.12", "-g").ok();
            return a;
        } catch (AssertionError | Exception e) {
            a.close(); // not left running when the test cannot use it
            throw e;
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            for (Appliance a : new Appliance[] {dir1, dir2}) {
                if (a != null) {
                    a.close();
                }
            }
        } finally {
            if (up) {
                for (String rs : List.of("rs1", "rs2")) {
                    try {
                        Topology.sh("ip", "netns", "exec", P + rs, Appliance.SCRIPT.toString(),
                                "realserver", "--mode", "dr", "--vip", VIP, "--undo");
                    } catch (AssertionError | Exception e) {
                        // the namespace goes anyway
                    }
                }
                topo("down");
            }
        }
    }

    static String topo(String... args) throws Exception {
        return topology.run(args);
    }

    static boolean holdsVip(String node) throws Exception {
        return Topology.sh("ip", "-n", P + node, "-4", "-br", "addr", "show", "dev", "eth0")
                .contains(VIP + "/");
    }

    static String curl() {
        try {
            return Topology.sh("ip", "netns", "exec", P + "client", "curl", "-sS", "-m", "2",
                    "http://" + VIP + "/").trim();
        } catch (Exception | AssertionError e) {
            return null;
        }
    }

    @Test
    @Order(1)
    void theOwnerTakesTheVipAndServes() throws Exception {
        Appliance.poll(() -> holdsVip("dir1") && !holdsVip("dir2"), "dir1 holds the VIP");
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served through dir1");
        assertTrue(dir1.ctl("ha").ok().out().startsWith("dir1: MASTER"), dir1.ctl("ha").out());
        assertTrue(dir2.ctl("ha").ok().out().startsWith("dir2: BACKUP"), dir2.ctl("ha").out());
    }

    @Test
    @Order(2)
    void aKilledPrimaryIsReplacedWithinASecondUnderLoad() throws Exception {
        // the client's requests, each with its start time (wall clock, ns) and outcome
        Path record = work.resolve("load.txt");
        Process load = new ProcessBuilder("ip", "netns", "exec", P + "client", "bash", "-c",
                "for i in $(seq 300); do s=$(date +%s%N); if curl -s -o /dev/null -m 2 http://" + VIP
                        + "/; then echo \"$s ok\"; else echo \"$s fail\"; fi; sleep 0.01; done")
                .redirectErrorStream(true).redirectOutput(record.toFile()).start();
        Appliance.poll(() -> Files.readAllLines(record).size() >= 30, "load flowing before the kill");
        long killedAt = System.currentTimeMillis() * 1_000_000;
        long t = System.nanoTime();
        dir1.kill();
        Appliance.poll(() -> holdsVip("dir2"), "dir2 takes the VIP");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        load.waitFor();
        String out = Files.readString(record);
        long lateFailures = out.lines().map(l -> l.split(" "))
                .filter(f -> f.length == 2 && f[1].equals("fail") && Long.parseLong(f[0]) > killedAt + 1_000_000_000L
                        * Appliance.slack())
                .count();
        long total = out.lines().count();
        System.out.printf("HA: VIP on dir2 %d ms after the kill; %d requests, %d failed more than 1 s after it%n",
                took, total, lateFailures);
        assertEquals(0, lateFailures, "no request starting more than 1 s after the kill fails:\n" + out);
        assertTrue(took <= 1000 * Appliance.slack(), "VIP moved after " + took + " ms");
        assertTrue(dir2.ctl("ha").ok().out().startsWith("dir2: MASTER"));
    }

    @Test
    @Order(3)
    void theOwnerReturnsAndAutoFailbackHandsTheVipBack() throws Exception {
        dir1 = start("dir1");
        Appliance.poll(() -> holdsVip("dir1") && !holdsVip("dir2"), "the VIP back on dir1 alone");
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served through dir1 again");
    }

    @Test
    @Order(4)
    void aGracefulStopHandsOverAtOnce() throws Exception {
        long t = System.nanoTime();
        assertEquals(0, dir1.stop(), "SIGTERM: a clean exit");
        long stopped = System.nanoTime();
        Appliance.poll(() -> holdsVip("dir2"), "dir2 takes the VIP");
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.printf("HA: graceful stop took %d ms, VIP on dir2 %d ms after it%n",
                TimeUnit.NANOSECONDS.toMillis(stopped - t), after);
        assertTrue(!holdsVip("dir1"), "dir1 released the VIP");
        assertTrue(after <= 400 * Appliance.slack(), "no deadtime wait: " + after + " ms");
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served through dir2");
    }
}
