package org.lvs4j.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.AdminState;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.health.CheckLatency;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.health.ConfigException;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;
import org.lvs4j.director.internal.TableDirector;
import org.lvs4j.health.connect.ConnectCheck;
import org.lvs4j.health.http.HttpCheck;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;
import org.lvs4j.scheduler.wrr.WeightedRoundRobinScheduler;

/**
 * The monitor with the real director table and the real connect and http checks against HTTP servers on loopback:
 * servers leave and come back, quiescence, rise, slow start, the fallback, admin states, reloads and takeover.
 */
class MonitorTest {

    @TempDir
    Path tmp;

    private final Table table = new Table(Clock.SYSTEM, a -> false);
    private final TableDirector director = new TableDirector(table);
    private final List<Monitor> monitors = new ArrayList<>();
    private final List<Backend> backends = new CopyOnWriteArrayList<>();

    MonitorTest() {
        table.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        table.addScheduler("wrr", new WeightedRoundRobinScheduler(), 0, 2);
    }

    @AfterEach
    void stop() throws IOException {
        monitors.forEach(Monitor::deactivate);
        for (Backend b : backends) {
            b.stop();
        }
    }

    /** An HTTP server on a loopback address and fixed port that can be stopped and started again. */
    final class Backend {
        final String address;
        final int port;
        volatile ServerSocket server;

        Backend(String address, int port) throws IOException {
            this.address = address;
            this.port = port;
            backends.add(this);
            start();
        }

        void start() throws IOException {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new java.net.InetSocketAddress(InetAddress.getByName(address), port));
            server = ss;
            Thread.ofPlatform().daemon().start(() -> {
                while (!ss.isClosed()) {
                    try {
                        Socket s = ss.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                InputStream in = s.getInputStream();
                                StringBuilder b = new StringBuilder();
                                int c;
                                while (!b.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                                    b.append((char) c);
                                }
                                s.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\nTest Page\n"
                                        .getBytes(StandardCharsets.US_ASCII));
                            } catch (IOException e) {
                                // the check went away
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        void stop() throws IOException {
            server.close();
        }
    }

    private Monitor monitor() {
        Monitor m = new Monitor(director);
        m.register("connect", new ConnectCheck());
        HttpCheck http = new HttpCheck();
        m.register("http", http);
        monitors.add(m);
        return m;
    }

    private Path file(String text) throws IOException {
        Path p = tmp.resolve("ldirectord.cf");
        Files.writeString(p, text);
        return p;
    }

    /** Real servers of the one service: address:port -> weight (admin state appended when not ready). */
    private Map<String, String> servers() {
        Map<String, String> out = new TreeMap<>();
        for (ServiceStatus s : director.services()) {
            for (RealServerStatus r : s.realServers()) {
                out.put(r.config().address().getHostAddress() + ":" + r.config().port(),
                        r.config().weight() + (r.adminState() == AdminState.READY ? ""
                                : " " + r.adminState().name().toLowerCase()));
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        double slack = Math.max(1.0, Double.parseDouble(System.getProperty("test.slack", "1")));
        long deadline = System.nanoTime() + (long) (timeout.toNanos() * slack);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String config(String quiescent, String extra) {
        return """
                checktimeout=0.5
                checkinterval=0.2
                quiescent=%s
                virtual=127.7.2.1:18200
                    real=127.0.2.1:18201 fullnat 2
                    real=127.0.2.2:18201 fullnat 3
                    fallback=127.0.2.9:18201 fullnat
                    service=http
                    request="/.testpage"
                    receive="Test Page"
                    scheduler=wrr
                %s""".formatted(quiescent, extra);
    }

    @Test
    void serversLeaveWhenTheyFailAndComeBackWhenTheyPass() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        Backend b = new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        assertEquals("1 virtual service, 2 real servers", m.load(file(config("no", "")), false));
        await(() -> servers().equals(Map.of("127.0.2.1:18201", "2", "127.0.2.2:18201", "3")), Duration.ofSeconds(3),
                "both servers checked and added");
        long t0 = System.nanoTime();
        a.stop();
        await(() -> servers().equals(Map.of("127.0.2.2:18201", "3")), Duration.ofSeconds(3), "a removed");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms <= 200 * 1 + 500 + 300, "within checkinterval x failurecount + checktimeout: " + ms + " ms");
        a.start();
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "a back");
        CheckStatus s = m.checks().get(0);
        assertEquals("http", s.check());
        assertEquals("up", s.state());
        assertEquals("HTTP 200, receive matched", s.reason());
        // every check of a was timed: passed, failed while it was stopped, passed again
        var l = s.latency();
        assertTrue(l.count() >= 3 && l.failed() >= 1 && l.lastNanos() > 0 && l.sumNanos() >= l.lastNanos(), l.toString());
        // each check ends by its 500 ms timeout: all of them are within the 2.5 s bucket
        assertEquals(l.count(), l.buckets()[java.util.Arrays.binarySearch(CheckLatency.BOUNDS_NANOS, 2_500_000_000L)],
                l.toString());
    }

    @Test
    void quiescentServersStayAtWeightZero() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        m.load(file(config("yes", "")), false);
        await(() -> servers().equals(Map.of("127.0.2.1:18201", "2", "127.0.2.2:18201", "3")), Duration.ofSeconds(3),
                "both up");
        a.stop();
        await(() -> "0".equals(servers().get("127.0.2.1:18201")), Duration.ofSeconds(3), "a quiesced");
        a.start();
        await(() -> "2".equals(servers().get("127.0.2.1:18201")), Duration.ofSeconds(3), "a back at weight 2");
    }

    @Test
    void everyServerDownBringsTheFallbackInAndOneBackTakesItOut() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        Backend b = new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        m.load(file(config("no", "")), false);
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "both up");
        a.stop();
        b.stop();
        await(() -> servers().equals(Map.of("127.0.2.9:18201", "1")), Duration.ofSeconds(3), "only the fallback");
        assertTrue(m.checks().stream().anyMatch(c -> c.check().equals("fallback") && c.state().equals("fallback")));
        b.start();
        await(() -> servers().equals(Map.of("127.0.2.2:18201", "3")), Duration.ofSeconds(3), "b back, fallback out");
    }

    @Test
    void riseNeedsThatManySuccessesAndSlowStartRampsTheWeight() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        m.load(file(config("no", "    rise=3\n    slowstart=2\n").replace("fullnat 2", "fullnat 20")), false);
        await(() -> servers().size() == 2, Duration.ofSeconds(4), "both up");
        assertEquals("20", servers().get("127.0.2.1:18201"), "no ramp at start");
        a.stop();
        await(() -> servers().size() == 1, Duration.ofSeconds(3), "a removed");
        long back = System.nanoTime();
        a.start();
        await(() -> servers().containsKey("127.0.2.1:18201"), Duration.ofSeconds(3), "a back");
        long ms = (System.nanoTime() - back) / 1_000_000;
        assertTrue(ms >= 2 * 200 - 50, "three successes 200 ms apart: " + ms + " ms");
        int first = Integer.parseInt(servers().get("127.0.2.1:18201"));
        assertTrue(first < 20, "slow start begins low: " + first);
        await(() -> "20".equals(servers().get("127.0.2.1:18201")), Duration.ofSeconds(4), "full weight after 2 s");
    }

    @Test
    void theOperatorsDrainSurvivesRemovalAndReturn() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        m.load(file(config("no", "")), false);
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "both up");
        director.apply(new TableChange.SetAdminState(director.services().get(0).key(),
                InetAddress.getByName("127.0.2.1"), 18201, AdminState.DRAIN));
        a.stop();
        await(() -> servers().size() == 1, Duration.ofSeconds(3), "a removed");
        a.start();
        await(() -> "2 drain".equals(servers().get("127.0.2.1:18201")), Duration.ofSeconds(3), "a back, drained");
    }

    @Test
    void reloadAppliesTheDifferenceAndABrokenFileChangesNothing() throws Exception {
        new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        new Backend("127.0.2.3", 18201);
        Monitor m = monitor();
        Path f = file(config("no", ""));
        m.load(f, false);
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "both up");
        Files.writeString(f, config("no", "").replace("real=127.0.2.1:18201 fullnat 2",
                "real=127.0.2.3:18201 fullnat 4").replace("fullnat 3", "fullnat 5"));
        assertEquals("1 virtual service, 2 real servers", m.load(f, false));
        await(() -> servers().equals(Map.of("127.0.2.2:18201", "5", "127.0.2.3:18201", "4")), Duration.ofSeconds(3),
                "1 gone, 3 added after its check, 2 reweighted in place");
        Map<String, String> before = servers();
        Files.writeString(f, config("no", "    bogus=1\n"));
        ConfigException e = assertThrows(ConfigException.class, () -> m.load(f, false));
        assertTrue(e.getMessage().endsWith("ldirectord.cf:12: unknown directive \"bogus\""), e.getMessage());
        assertEquals(before, servers(), "nothing changed");
        Files.writeString(f, config("no", "").replace("scheduler=wrr", "scheduler=nosuch"));
        e = assertThrows(ConfigException.class, () -> m.load(f, false));
        assertTrue(e.getMessage().contains("ldirectord.cf:"), e.getMessage());
        assertEquals(before, servers(), "a refused edit changes nothing either");
        assertEquals(1, m.ownedServices().size());
    }

    @Test
    void aNewMonitorTakesTheTableOverWithoutAGap() throws Exception {
        new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        Monitor first = monitor();
        Path f = file(config("no", ""));
        first.load(f, false);
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "both up");
        first.deactivate();
        monitors.remove(first);
        Monitor second = monitor();
        second.load(f, false);
        assertEquals(Map.of("127.0.2.1:18201", "2", "127.0.2.2:18201", "3"), servers(),
                "servers stay in the table while the new monitor checks them");
        await(() -> second.checks().stream().filter(c -> !c.check().equals("fallback"))
                .allMatch(c -> c.reason().startsWith("HTTP 200")), Duration.ofSeconds(3), "checked again");
    }

    @Test
    void fallbackCommandRunsWithStartAndStop() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        Backend b = new Backend("127.0.2.2", 18201);
        Path log = tmp.resolve("fallback.log");
        Path script = tmp.resolve("fallback.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$1\" >> " + log + "\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Monitor m = monitor();
        m.load(file(config("no", "    fallbackcommand=\"" + script + "\"\n")), false);
        await(() -> servers().size() == 2, Duration.ofSeconds(3), "both up");
        a.stop();
        b.stop();
        await(() -> Files.exists(log) && read(log).equals("start\n"), Duration.ofSeconds(3), "start");
        b.start();
        await(() -> read(log).equals("start\nstop\n"), Duration.ofSeconds(3), "stop");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * RELIABILITY.md F8 for TCP: a real server whose host goes silent (no reset, its address gone from a namespace
     * this test creates) is marked down within 1.9 s by connect checks every 0.5 s with a 1 s timeout.
     */
    @Test
    void aSilentHostIsMarkedDownWithinTheTimeout() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run as root: network namespaces");
            }
            org.junit.jupiter.api.Assumptions.abort("needs root: network namespaces");
        }
        long pid = ProcessHandle.current().pid();
        String ns = "lvs4j-silent-" + pid;
        String host = "lvss" + (pid % 100000) + "a";
        String peer = "lvss" + (pid % 100000) + "b";
        Path server = tmp.resolve("Listen.java");
        Files.writeString(server, "public class Listen { public static void main(String[] a) throws Exception {"
                + " var s = new java.net.ServerSocket(); s.bind(new java.net.InetSocketAddress(a[0], 18201));"
                + " System.out.println(\"listening\"); while (true) { s.accept().close(); } } }");
        Process listener = null;
        run("ip", "netns", "add", ns);
        try {
            run("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
            run("ip", "addr", "add", "10.254.78.1/30", "dev", host);
            run("ip", "link", "set", host, "up");
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "addr", "add", "10.254.78.2/30", "dev", peer);
            run("ip", "-n", ns, "link", "set", peer, "up");
            Path out = tmp.resolve("listen.txt");
            listener = new ProcessBuilder("ip", "netns", "exec", ns, Path.of(System.getProperty("java.home"),
                    "bin", "java").toString(), server.toString(), "10.254.78.2").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            Process l = listener;
            await(() -> read(out).contains("listening") || !l.isAlive(), Duration.ofSeconds(30), "listener");
            new Backend("127.0.2.2", 18201);
            Monitor m = monitor();
            m.load(file("""
                    checktimeout=1
                    checkinterval=0.5
                    virtual=127.7.2.1:18200
                        real=10.254.78.2:18201 fullnat 2
                        real=127.0.2.2:18201 fullnat 3
                        checktype=connect
                        scheduler=wrr
                    """), false);
            await(() -> servers().size() == 2, Duration.ofSeconds(5), "both up");
            run("ip", "-n", ns, "addr", "del", "10.254.78.2/30", "dev", peer);
            long t0 = System.nanoTime();
            await(() -> servers().size() == 1, Duration.ofSeconds(5), "the silent host out");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms <= 1900, "marked down after " + ms + " ms");
            assertTrue(m.checks().stream().anyMatch(c -> c.address().getHostAddress().equals("10.254.78.2")
                    && c.reason().startsWith("timeout")), m.checks().toString());
        } finally {
            if (listener != null) {
                listener.destroyForcibly().waitFor();
            }
            new ProcessBuilder("ip", "link", "del", host).start().waitFor();
            run("ip", "netns", "del", ns);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
    }

    @Test
    void flappingServerChangesThePoolAtMostOncePerRiseAndFallRound() throws Exception {
        Backend a = new Backend("127.0.2.1", 18201);
        new Backend("127.0.2.2", 18201);
        Monitor m = monitor();
        // rise 2 + failurecount 3 at 0.5 s: at most one pool change per 2.5 s (RELIABILITY.md F11).
        m.load(file(config("no", "    rise=2\n    failurecount=3\n").replace("checkinterval=0.2",
                "checkinterval=0.5")), false);
        await(() -> servers().size() == 2, Duration.ofSeconds(4), "both up");
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        long end = System.nanoTime() + 10_000_000_000L;
        boolean up = true;
        long nextFlip = System.nanoTime() + 700_000_000L;
        int changes = 0;
        int last = servers().size();
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextFlip) {
                if (up) {
                    a.stop();
                } else {
                    a.start();
                }
                up = !up;
                nextFlip += 700_000_000L;
            }
            int now = servers().size();
            if (now != last) {
                changes++;
                last = now;
            }
            sizes.add(now);
            Thread.sleep(20);
        }
        assertTrue(changes <= 10 / 2.5 + 1, "pool changes in 10 s of flapping every 0.7 s: " + changes);
    }
}
