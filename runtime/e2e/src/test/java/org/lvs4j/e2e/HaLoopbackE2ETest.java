package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two directors on one host (loopback, unprivileged, ucast between 127.0.0.2 and 127.0.0.3, keepalive 100 ms,
 * deadtime 500 ms, auto_failback on, haresources {@code dir1 lvs4j}), each with the same full-NAT service: the socket
 * engine's listeners are the resource, so only the master listens on the VIP; a SIGKILL of it moves the listeners to
 * dir2 within a second while a client keeps making requests; the owner's return and a graceful stop hand them over
 * with the service unreachable for at most 0.2 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaLoopbackE2ETest {

    static final String VIP = "127.7.130.1";
    static final int PORT = 18130;
    @TempDir
    static Path work;
    static Backends backends;
    static Appliance dir1;
    static Appliance dir2;
    static int udpPort;
    static String failback = "on";
    /** dir2's admin port, kept across its restarts (dir1 runs without: its restarts are timed). */
    static int dir2Admin;

    @BeforeAll
    static void start() throws Exception {
        backends = new Backends();
        backends.start("b1", "127.0.0.41", PORT);
        backends.start("b2", "127.0.0.42", PORT);
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            udpPort = s.getLocalPort();
        }
        dir1 = director("dir1");
        dir2 = director("dir2");
    }

    static Appliance director(String self) throws Exception {
        String me = self.equals("dir1") ? "127.0.0.2" : "127.0.0.3";
        String peer = self.equals("dir1") ? "127.0.0.3" : "127.0.0.2";
        Path ha = work.resolve("ha-" + self);
        Files.createDirectories(ha);
        Files.writeString(ha.resolve("ha.cf"), """
                keepalive 100ms
                deadtime 500ms
                initdead 2
                udpport %d
                ucast lo %s from %s
                auto_failback %s
                node dir1 dir2
                self %s
                """.formatted(udpPort, peer, me, failback, self));
        Path keys = ha.resolve("authkeys");
        Files.writeString(keys, "auth 1\n1 sha256 loopback-pair-secret\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ha.resolve("haresources"), "dir1 lvs4j\n");
        Path state = work.resolve("state-" + self);
        Files.deleteIfExists(state.resolve("ctl.sock"));
        if (self.equals("dir2") && dir2Admin == 0) {
            dir2Admin = Appliance.freePort();
            Appliance.passwd(state, "vera", "viewer", "viewer-password");
        }
        Appliance a = new Appliance(state).start(List.of("--ha-dir", ha.toString(), "--admin-port",
                String.valueOf(self.equals("dir2") ? dir2Admin : 0)));
        try {
            if (!a.ctl("ipvsadm", "-L", "-n").ok().out().contains(VIP + ":" + PORT)) {
                a.ctl("ipvsadm", "-A", "-t", VIP + ":" + PORT, "-s", "rr").ok();
                for (String rs : List.of("127.0.0.41", "127.0.0.42")) {
                    a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", rs + ":" + PORT, "-b").ok();
                }
            }
            return a;
        } catch (AssertionError | Exception e) {
            a.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Appliance a : new Appliance[] {dir1, dir2}) {
            if (a != null) {
                a.close();
            }
        }
        if (backends != null) {
            backends.close();
        }
    }

    static boolean role(Appliance a, String role) throws Exception {
        return a.ctl("ha").ok().out().lines().findFirst().orElse("").contains(": " + role);
    }

    static boolean served() {
        try {
            return List.of("b1", "b2").contains(Backends.get(VIP, PORT));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Probes the VIP with a connection every 5 ms while {@code action} runs and until one succeeds again; returns
     * how long no connection could be made.
     */
    static long unreachableMillis(Appliance.Probe action) throws Exception {
        AtomicLong firstFailure = new AtomicLong();
        AtomicLong lastFailure = new AtomicLong();
        AtomicLong recovered = new AtomicLong();
        // a connection attempt every 5 ms, until one succeeds after a failure
        var probes = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        probes.scheduleAtFixedRate(() -> {
            long t = System.nanoTime();
            boolean ok;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(VIP, PORT), 1000);
                ok = true;
            } catch (IOException e) {
                ok = false;
            }
            if (!ok) {
                firstFailure.compareAndSet(0, t);
                lastFailure.set(System.nanoTime());
            } else if (firstFailure.get() != 0) {
                recovered.compareAndSet(0, t);
            }
        }, 0, 5, TimeUnit.MILLISECONDS);
        try {
            assertTrue(action.holds(), "the action");
            Appliance.poll(() -> firstFailure.get() == 0 || recovered.get() != 0, "the VIP reachable again");
        } finally {
            probes.shutdownNow();
        }
        return firstFailure.get() == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(lastFailure.get() - firstFailure.get());
    }

    @Test
    @Order(1)
    void onlyTheMasterListensAndTheBackupKeepsItsTableWarm() throws Exception {
        Appliance.poll(() -> role(dir1, "MASTER") && role(dir2, "BACKUP"), "dir1 master, dir2 backup");
        Appliance.poll(HaLoopbackE2ETest::served, "served through dir1");
        assertTrue(dir2.ctl("ipvsadm", "-L", "-n").ok().out().contains(VIP + ":" + PORT),
                "the backup has the service");
        assertTrue(dir1.ctl("ipvsadm", "-L", "-n").ok().out().contains("127.0.0.41:" + PORT));
    }

    @Test
    @Order(2)
    void aKilledMastersListenersMoveToTheBackupWithinASecondUnderLoad() throws Exception {
        List<Load.Shot> shots = Load.shots();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong takenAt = new AtomicLong();
        Thread killer = Thread.ofPlatform().start(() -> {
            try {
                Appliance.poll(() -> shots.size() >= 50, "load flowing before the kill");
                killedAt.set(System.nanoTime());
                dir1.kill();
                Appliance.poll(() -> role(dir2, "MASTER"), "dir2 master");
                takenAt.set(System.nanoTime());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        Load.run(VIP, PORT, 2, 10, end, shots);
        killer.join();
        long kill = killedAt.get();
        long late = kill + (long) (TimeUnit.SECONDS.toNanos(1) * Appliance.slack());
        List<Load.Shot> failedLate = shots.stream().filter(s -> s.startNanos() > late && !s.ok()).toList();
        long took = TimeUnit.NANOSECONDS.toMillis(takenAt.get() - kill);
        System.out.printf("HA loopback: dir2 master %d ms after the kill; %d requests, %d failed more than 1 s "
                + "after it%n", took, shots.size(), failedLate.size());
        assertEquals(List.of(), failedLate, "no request starting more than 1 s after the kill fails");
        assertTrue(shots.stream().filter(s -> s.startNanos() > late).count() > 20, "load went on after the kill");
        assertTrue(took <= 1000 * Appliance.slack(), "takeover after " + took + " ms");
    }

    @Test
    @Order(3)
    void theOwnersReturnHandsTheListenersBackWithinTwoTenthsOfASecond() throws Exception {
        long gap = unreachableMillis(() -> {
            dir1 = director("dir1");
            Appliance.poll(() -> role(dir1, "MASTER") && role(dir2, "BACKUP"), "dir1 master again");
            return true;
        });
        System.out.printf("HA loopback: hand-back to the owner, VIP unreachable for %d ms%n", gap);
        assertTrue(gap <= 200 * Appliance.slack(), "unreachable for " + gap + " ms");
        Appliance.poll(HaLoopbackE2ETest::served, "served through dir1");

        // the admin API (what the page's HA badge and transitions show): dir2 took over and handed back
        String base = "http://127.0.0.1:" + dir2Admin + "/api/v1";
        var viewer = ApiE2ETest.login(base, "vera", "viewer-password");
        java.net.http.HttpResponse<String> r = viewer.http().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(base + "/ha")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"state\":\"backup\",\"transitions\":["), r.body());
        // the JSON writer escapes '>' as \u003e (safe inside HTML)
        assertTrue(r.body().replace("\\u003e", ">").matches(".*\"\\d\\d:\\d\\d:\\d\\d BACKUP -> MASTER\".*"
                + "\"\\d\\d:\\d\\d:\\d\\d MASTER -> BACKUP\".*"), r.body());
    }

    @Test
    @Order(4)
    void aGracefulStopHandsTheListenersOverWithinTwoTenthsOfASecond() throws Exception {
        long gap = unreachableMillis(() -> {
            assertEquals(0, dir1.stop(), "SIGTERM: a clean exit");
            Appliance.poll(() -> role(dir2, "MASTER"), "dir2 master");
            return true;
        });
        System.out.printf("HA loopback: graceful stop, VIP unreachable for %d ms%n", gap);
        assertTrue(gap <= 200 * Appliance.slack(), "unreachable for " + gap + " ms");
        Appliance.poll(HaLoopbackE2ETest::served, "served through dir2");
    }

    @Test
    @Order(5)
    void withoutAutoFailbackTheReturningOwnerStaysBackup() throws Exception {
        assertEquals(0, dir2.stop(), "SIGTERM: a clean exit");
        failback = "off";
        dir2 = director("dir2");
        Appliance.poll(() -> role(dir2, "MASTER"), "dir2 master alone (after initdead)");
        Appliance.poll(HaLoopbackE2ETest::served, "served through dir2");
        dir1 = director("dir1");
        Appliance.poll(() -> role(dir1, "BACKUP"), "the owner back, as backup");
        // ten keepalives later nothing has moved: auto_failback off keeps the resources where they are
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < until) {
            assertTrue(role(dir2, "MASTER") && role(dir1, "BACKUP"), "no hand-back without auto_failback");
        }
        assertTrue(served(), "still served through dir2");
    }
}
