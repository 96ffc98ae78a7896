package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health monitor in the exported appliance, driven by an ldirectord.cf given to {@code ./lvs4j run --config},
 * with fullnat real servers on loopback under load: a killed server leaves, a restarted one returns after rise, the
 * fallback takes over when all are down, and a broken edit under autoreload changes nothing.
 */
class HealthE2ETest {

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

    private static final String VIP = "127.7.130.1";
    private static final int PORT = 18400;

    private Path config(String extra) throws Exception {
        Path f = tmp.resolve("ldirectord.cf");
        Files.writeString(f, """
                checktimeout=1
                checkinterval=0.5
                failurecount=1
                autoreload=yes
                virtual=%s:%d
                        real=127.0.4.1:%d fullnat 1
                        real=127.0.4.2:%d fullnat 1
                        fallback=127.0.4.9:%d fullnat
                        service=http
                        request="/health"
                        scheduler=rr
                        rise=2
                %s""".formatted(VIP, PORT, PORT, PORT, PORT, extra));
        return f;
    }

    private String listing() throws Exception {
        return a.ctl("ipvsadm", "-L", "-n").ok().out();
    }

    private static String line(String server) {
        return "  -> " + server + ":" + PORT;
    }

    @Test
    void killedServerLeavesInTimeAndNoConnectionStartedAfterTheKillFails() throws Exception {
        Backends.Backend victim = backends.start("h1", "127.0.4.1", PORT);
        backends.start("h2", "127.0.4.2", PORT);
        Path f = config("");
        a = new Appliance(tmp.resolve("d")).start(List.of("--config", f.toString()));
        Appliance.poll(() -> listing().contains(line("127.0.4.1")) && listing().contains(line("127.0.4.2")),
                "both real servers checked and in the table");

        long start = System.nanoTime();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong removedAfter = new AtomicLong(-1);
        List<Load.Shot> shots = Load.shots();
        Thread killer = Thread.ofPlatform().start(() -> {
            try {
                Appliance.poll(() -> shots.size() >= 100, "load flowing before the kill"); // about a second of it
                victim.kill();
                killedAt.set(System.nanoTime());
                Appliance.poll(() -> !listing().contains(line("127.0.4.1")), "h1 out of the table");
                removedAfter.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt.get()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Load.run(VIP, PORT, 4, 10, start + TimeUnit.MILLISECONDS.toNanos(3500), shots);
        killer.join();
        long kill = killedAt.get();
        List<Load.Shot> failedAfter = shots.stream().filter(s -> s.startNanos() > kill && !s.ok()).toList();
        System.out.printf("health: %d requests, h1 removed %d ms after the kill%n", shots.size(), removedAfter.get());
        assertEquals(List.of(), failedAfter, "no connection started after the kill fails (the engine redispatches)");
        // checkinterval x failurecount + checktimeout = 0.5 s x 1 + 1 s
        assertTrue(removedAfter.get() <= 1500 * Appliance.slack(), "removed after " + removedAfter.get() + " ms");
        String checks = a.ctl("checks").ok().out();
        assertTrue(checks.matches("(?s).*127\\.0\\.4\\.1:18400 +http +down .*connection refused.*"), checks);

        long back = System.nanoTime();
        backends.start("h1", "127.0.4.1", PORT);
        Appliance.poll(() -> listing().contains(line("127.0.4.1")), "h1 back");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
        assertTrue(ms >= 400, "rise=2: two passing checks 0.5 s apart before it returns, took " + ms + " ms");
    }

    @Test
    void everyServerDownSendsClientsToTheFallbackUntilOneReturns() throws Exception {
        Backends.Backend h1 = backends.start("h1", "127.0.4.1", PORT);
        Backends.Backend h2 = backends.start("h2", "127.0.4.2", PORT);
        backends.start("sorry", "127.0.4.9", PORT);
        a = new Appliance(tmp.resolve("d")).start(List.of("--config", config("").toString()));
        Appliance.poll(() -> listing().contains(line("127.0.4.2")), "servers in");
        h1.kill();
        h2.kill();
        Appliance.poll(() -> "sorry".equals(tryGet()), "clients reach the fallback");
        assertTrue(a.ctl("checks").ok().out().contains(" fallback "), "the fallback is listed as such");
        backends.start("h2", "127.0.4.2", PORT);
        Appliance.poll(() -> "h2".equals(tryGet()), "traffic back on h2");
        assertTrue(!listing().contains(line("127.0.4.9")), "the fallback left the table");
    }

    private static String tryGet() {
        try {
            return Backends.get(VIP, PORT);
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void aBrokenEditUnderAutoreloadChangesNothingAndAGoodOneApplies() throws Exception {
        backends.start("h1", "127.0.4.1", PORT);
        backends.start("h2", "127.0.4.2", PORT);
        Path f = config("");
        a = new Appliance(tmp.resolve("d")).start(List.of("--config", f.toString()));
        Appliance.poll(() -> listing().contains(line("127.0.4.2")), "servers in");
        String before = listing();
        Files.writeString(f, Files.readString(f).replace("fullnat 1\n        real=127.0.4.2", "fullnot 1\n"
                + "        real=127.0.4.2"));
        Appliance.poll(() -> a.log().contains("ldirectord.cf:6: forwarding method must be gate, masq, ipip or"
                + " fullnat, not \"fullnot\""), "the error logged with file and line");
        assertEquals(before, listing(), "nothing changed");
        Files.writeString(f, Files.readString(f).replace("fullnot 1", "fullnat 3"));
        Appliance.poll(() -> listing().matches("(?s).*127\\.0\\.4\\.1:18400 +FullNat 3 .*"), "the weight edit applied");
        assertTrue(a.ctl("ldirectord", "check", f.toString()).ok().out().startsWith("ok " + f));
    }

    /**
     * RELIABILITY.md F8's second half: once the monitor takes a server out, its established connections are reset
     * at once with expire_nodest_conn 1, and go on with 0.
     */
    @Test
    void expireNodestConnDecidesWhetherAnOutServersConnectionsEnd() throws Exception {
        int port = 18401;
        Backends.Backend g1 = backends.greeter("g1", "127.0.4.11", port);
        backends.greeter("g2", "127.0.4.12", port);
        Path f = tmp.resolve("connect.cf");
        Files.writeString(f, """
                checktimeout=1
                checkinterval=0.5
                virtual=%s:%d
                        real=127.0.4.11:%d fullnat
                        real=127.0.4.12:%d fullnat
                        checktype=connect
                        scheduler=rr
                """.formatted(VIP, port, port, port));
        a = new Appliance(tmp.resolve("d")).start(List.of("--config", f.toString()));
        String in = "  -> 127.0.4.11:" + port;
        Appliance.poll(() -> listing().contains(in) && listing().contains("  -> 127.0.4.12:" + port), "both in");

        for (int mode : new int[] {1, 0}) {
            a.ctl("sysctl", "expire_nodest_conn", Integer.toString(mode)).ok();
            Backends.Greeted held = null;
            for (int i = 0; i < 4 && held == null; i++) {
                Backends.Greeted g = Backends.greet("127.0.0.1", VIP, port);
                if ("g1".equals(g.name())) {
                    held = g;
                } else {
                    g.close();
                }
            }
            assertTrue(held != null, "a connection on g1");
            g1.stopListening(); // its connections stay open on the server's side
            Appliance.poll(() -> !listing().contains(in), "g1 out");
            long out = System.nanoTime();
            held.socket().setSoTimeout((int) (1000 * Appliance.slack()));
            int r;
            try {
                r = held.socket().getInputStream().read();
            } catch (java.net.SocketTimeoutException stillOpen) {
                r = -2;
            } catch (java.io.IOException reset) {
                r = -1;
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - out);
            if (mode == 1) {
                assertEquals(-1, r, "expire_nodest_conn 1: the connection ended");
                assertTrue(ms <= 500 * Appliance.slack(), "ended " + ms + " ms after g1 went out");
            } else {
                assertEquals(-2, r, "expire_nodest_conn 0: the connection goes on");
            }
            held.close();
            g1 = backends.greeter("g1", "127.0.4.11", port);
            Appliance.poll(() -> listing().contains(in), "g1 back");
        }
    }

    @Test
    void theHowToSampleParses() throws Exception {
        Path f = tmp.resolve("howto.cf");
        Files.writeString(f, HOWTO);
        a = new Appliance(tmp.resolve("d")).start();
        assertEquals("ok " + f + ": 1 virtual service, 3 real servers\n",
                a.ctl("ldirectord", "check", f.toString()).ok().out());
        assertEquals("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n", listing(),
                "check only parses: nothing is applied");
    }

    /** The ldirectord sample of the LVS how-to, unchanged. */
    static final String HOWTO = """
            checktimeout=3
            checkinterval=1
            fallback=127.0.0.1:80
            autoreload=yes
            quiescent=yes
            virtual=192.168.7.110:80
                    real=192.168.7.11:80 gate
                    real=192.168.7.12:80 gate
                    real=192.168.7.13:80 gate
                    fallback=127.0.0.1:80 gate
                    service=http
                    request="/.testpage"
                    receive="Test Page"
                    scheduler=rr
                    #persistent=600
                    #netmask=255.255.255.255
                    protocol=tcp
            """;
}
