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
 * making requests and 20 established streams carry on through dir2 (connection sync, both daemons on both directors,
 * signed), the owner comes back and gets the VIP handed back, and a graceful stop hands it over at once.
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
            topo("spawn", rs, "echo-" + rs, "python3", "-c", ECHO_SERVER);
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
                %s
                """.formatted(peer, self, self.equals("dir1") ? "sync_daemon eth0 7" : ""));
        Path keys = ha.resolve("authkeys");
        Files.writeString(keys, "auth 1\n1 sha256 e2e-secret-of-some-length\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ha.resolve("haresources"), "dir1 IPaddr::" + VIP + "/24/eth0 lvs4j\n");
        // a killed director leaves its control socket behind; the test waits for the new one
        Files.deleteIfExists(work.resolve("state-" + self).resolve("ctl.sock"));
        Appliance a = new Appliance(work.resolve("state-" + self)).start(List.of("ip", "netns", "exec", P + self),
                List.of("--ha-dir", ha.toString()));
        try {
            // Sync, both roles on both directors (as keepalived's lvs_sync_daemon): dir1 by ha.cf's sync_daemon,
            // dir2 by hand with ipvsadm (not kept across restarts, as in IPVS), both signed with authkeys' key.
            if (self.equals("dir2")) {
                for (String role : List.of("master", "backup")) {
                    a.ctl("ipvsadm", "--start-daemon", role, "--mcast-interface", "eth0", "--syncid", "7",
                            "--sync-key", keys.toString()).ok();
                }
            }
            Appliance.poll(() -> a.ctl("ipvsadm", "-L", "--daemon").ok().out().lines().count() == 2,
                    "master and backup sync daemons on " + self);
            if (a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  " + VIP)) {
                return a; // restarted: its saved table is back
            }
            for (String port : List.of("80", "9000")) {
                a.ctl("ipvsadm", "-A", "-t", VIP + ":" + port, "-s", "rr").ok();
                a.ctl("ipvsadm", "-a", "-t", VIP + ":" + port, "-r", "10.99.1.11", "-g").ok();
                a.ctl("ipvsadm", "-a", "-t", VIP + ":" + port, "-r", "10.99.1.12", "-g").ok();
            }
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

    /** A line echo server for long-lived streams, on port 9000 of a real server. */
    static final String ECHO_SERVER = """
            import socketserver
            class Echo(socketserver.StreamRequestHandler):
                def handle(self):
                    for line in self.rfile:
                        self.wfile.write(line)
            socketserver.ThreadingTCPServer.allow_reuse_address = True
            socketserver.ThreadingTCPServer.daemon_threads = True
            socketserver.ThreadingTCPServer(("0.0.0.0", 9000), Echo).serve_forever()
            """;

    /**
     * N streams to VIP:9000, each echoing a line every 100 ms for S seconds. Prints "connected I", "warm I" after 6
     * echoes (0.5 s), then per stream "I ok ECHOES LAST_NS" or "I fail REASON NS".
     */
    static final String STREAMS = """
            import socket, sys, threading, time
            vip, n, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            results = [None] * n
            lock = threading.Lock()
            def say(line):
                with lock:
                    sys.stdout.write(line + "\\n")
                    sys.stdout.flush()
            def run(i):
                try:
                    s = socket.create_connection((vip, 9000), timeout=10)
                    say("connected %d" % i)
                    f = s.makefile("rwb")
                    end, count, last = time.time() + seconds, 0, 0
                    while time.time() < end:
                        f.write(b"stream %d %d\\n" % (i, count))
                        f.flush()
                        if not f.readline():
                            raise EOFError("closed by the peer")
                        count, last = count + 1, time.time_ns()
                        if count == 6:
                            say("warm %d" % i)
                        time.sleep(0.1)
                    results[i] = "ok %d %d" % (count, last)
                    s.close()
                except Exception as e:
                    results[i] = "fail %s %d" % (type(e).__name__, time.time_ns())
            threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for i, r in enumerate(results):
                say("%d %s" % (i, r))
            """;

    static long count(Path file, String prefix) throws Exception {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    @Order(2)
    void aKilledPrimaryIsReplacedWithinASecondUnderLoad() throws Exception {
        // 20 long-lived streams through the VIP (direct routing), synced to dir2 as they establish
        Path streams = work.resolve("streams.txt");
        Process streamer = new ProcessBuilder("ip", "netns", "exec", P + "client", "python3", "-c", STREAMS, VIP,
                "20", String.valueOf(6 * Appliance.slack()))
                .redirectErrorStream(true).redirectOutput(streams.toFile()).start();
        Appliance.poll(() -> count(streams, "warm ") == 20, "20 streams older than 0.5 s");
        Appliance.poll(() -> dir2.ctl("ipvsadm", "-L", "-c", "-n").ok().out().lines()
                .filter(l -> l.contains(VIP + ":9000") && l.contains("ESTABLISHED")).count() == 20,
                "dir2's table to hold the 20 streams, synced");

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
        String ha = dir2.ctl("ha").ok().out();
        assertTrue(ha.startsWith("dir2: MASTER") && ha.contains("BACKUP -> MASTER"), "state and transition: " + ha);

        assertTrue(streamer.waitFor(60, TimeUnit.SECONDS), "the streams end");
        List<String> results = Files.readAllLines(streams).stream().filter(l -> l.matches("\\d+ (ok|fail) .*"))
                .toList();
        String all = Files.readString(streams);
        assertEquals(20, results.size(), all);
        long carriedOn = results.stream().map(l -> l.split(" "))
                .filter(f -> f[1].equals("ok") && Long.parseLong(f[3]) > killedAt + 1_000_000_000L).count();
        System.out.printf("HA: %d of 20 established streams carried on through dir2 after the kill%n", carriedOn);
        assertEquals(20, carriedOn, "every stream older than 0.5 s continues through the backup, none reset:\n"
                + all);
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
        java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return dir1.stop();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Appliance.poll(() -> holdsVip("dir2") && !holdsVip("dir1"), "dir2 takes the VIP from the stopping dir1");
        long moved = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
        assertEquals(0, exit.get(60, TimeUnit.SECONDS), "SIGTERM: a clean exit");
        System.out.printf("HA: graceful stop: VIP on dir2 %d ms after SIGTERM (the release comes before the drain),"
                + " dir1 ended after %d ms%n", moved, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        assertTrue(moved <= 200 * Appliance.slack(), "takeover within 0.2 s of SIGTERM: " + moved + " ms");
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served through dir2");
    }

    static final String MAC1 = "02:99:00:00:00:02";
    static final String MAC2 = "02:99:00:00:00:03";

    /** Which directors hold the VIP. */
    static List<String> holders() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String d : List.of("dir1", "dir2")) {
            if (holdsVip(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** The client's ARP entry for the VIP: the MAC its packets go to. */
    static String clientArp() throws Exception {
        String line = Topology.sh("ip", "-n", P + "client", "neigh", "show", VIP);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("lladdr (\\S+)").matcher(line);
        return m.find() ? m.group(1) : "";
    }

    /** {@code lvs:ha}'s count of datagrams refused for {@code reason}. */
    static long refused(Appliance a, String reason) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) " + reason + "\\b")
                .matcher(a.ctl("ha").ok().out());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** A heartbeat status message as a director sends it, signed under key 1 with {@code secret} (null: unsigned). */
    static byte[] message(String type, String src, long generation, long seq, String secret) throws Exception {
        String body = ">>>\nt=" + type + "\nst=master\nsrc=" + src + "\nhg=" + Long.toHexString(generation)
                + "\nseq=" + Long.toHexString(seq) + "\nms=0\ndt=1f4\n";
        if (secret == null) {
            return (body + "<<<\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "HmacSHA256"));
        String sig = java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(
                java.nio.charset.StandardCharsets.UTF_8)));
        return (body + "auth=1 " + sig + "\n<<<\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Sends datagrams to dir2's heartbeat port from the client's namespace. */
    static void sendFromClient(byte[]... datagrams) throws Exception {
        StringBuilder py = new StringBuilder("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n");
        for (byte[] d : datagrams) {
            py.append("s.sendto(bytes.fromhex('").append(java.util.HexFormat.of().formatHex(d))
                    .append("'), ('10.99.0.3', 1694))\n");
        }
        Topology.sh("ip", "netns", "exec", P + "client", "python3", "-c", py.toString());
    }

    /**
     * Captures one of dir1's genuine statuses on dir2's interface and sends it again three times: a replay by
     * someone on the wire.
     */
    static final String REPLAY = """
            import socket
            sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
            sniff.bind(("eth0", 0))
            while True:
                f = sniff.recv(65535)
                ip = f[14:]
                ihl = (ip[0] & 15) * 4
                if ip[9] == 17 and int.from_bytes(ip[ihl + 2:ihl + 4], "big") == 1694 and b"src=dir1" in ip[ihl + 8:]:
                    payload = ip[ihl + 8:]
                    break
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(3):
                s.sendto(payload, ("10.99.0.3", 1694))
            """;

    @Test
    @Order(5)
    void forgedWronglyKeyedReplayedAndStaleMessagesChangeNothingAndAreCounted() throws Exception {
        dir1 = start("dir1");
        Appliance.poll(() -> holders().equals(List.of("dir1")), "the VIP back on dir1 alone");
        Appliance.poll(() -> dir2.ctl("ha").ok().out().startsWith("dir2: BACKUP"), "dir2 a backup again");
        long malformed = refused(dir2, "malformed");
        long unsigned = refused(dir2, "unsigned");
        long badSignature = refused(dir2, "bad_signature");
        long stale = refused(dir2, "stale_generation");
        long replayed = refused(dir2, "replayed");

        sendFromClient("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                message("release", "dir1", System.currentTimeMillis(), 1, null),
                message("release", "dir1", System.currentTimeMillis(), 2, "not-the-pair's-secret"),
                message("release", "dir1", 1, 3, "e2e-secret-of-some-length"));
        Topology.sh("ip", "netns", "exec", P + "dir2", "python3", "-c", REPLAY);

        Appliance.poll(() -> refused(dir2, "malformed") == malformed + 1 && refused(dir2, "unsigned") == unsigned + 1
                && refused(dir2, "bad_signature") == badSignature + 1
                && refused(dir2, "stale_generation") == stale + 1 && refused(dir2, "replayed") == replayed + 3,
                "each refusal counted: " + dir2.ctl("ha").out());
        assertTrue(dir2.ctl("ha").ok().out().startsWith("dir2: BACKUP"), "no state change on dir2");
        assertEquals(List.of("dir1"), holders(), "the VIP stayed on dir1");
    }

    @Test
    @Order(6)
    void haDiffShowsHowTheTwoTablesDiffer() throws Exception {
        String same = dir1.ctl("ha", "diff").ok().out();
        assertTrue(same.startsWith("dir1 and dir2 have the same table ("), same);
        dir2.ctl("ipvsadm", "-e", "-t", VIP + ":80", "-r", "10.99.1.12", "-g", "-w", "3").ok();
        try {
            assertEquals("--- dir1 (this director)\n+++ dir2\n"
                    + "- -a -t " + VIP + ":80 -r 10.99.1.12:80 -g -w 1\n"
                    + "+ -a -t " + VIP + ":80 -r 10.99.1.12:80 -g -w 3\n", dir1.ctl("ha", "diff").ok().out());
        } finally {
            dir2.ctl("ipvsadm", "-e", "-t", VIP + ":80", "-r", "10.99.1.12", "-g", "-w", "1").ok();
        }
    }

    @Test
    @Order(7)
    void aHealedPartitionLeavesOneMasterWithinTwoKeepalivesAndTheClientFollows() throws Exception {
        for (String d : List.of("dir1", "dir2")) { // both drop the other's statuses
            Topology.sh("ip", "netns", "exec", P + d, "nft", "add", "table", "inet", "l4jpart");
            Topology.sh("ip", "netns", "exec", P + d, "nft", "add", "chain", "inet", "l4jpart", "in",
                    "{ type filter hook input priority 0; }");
            Topology.sh("ip", "netns", "exec", P + d, "nft", "add", "rule", "inet", "l4jpart", "in", "udp", "dport",
                    "1694", "drop");
        }
        Appliance.poll(() -> holders().size() == 2, "both directors master during the partition");
        Appliance.poll(() -> clientArp().equals(MAC2), "dir2's announcement reaching the client");
        Appliance.poll(() -> curl() != null, "the client served during the partition (by dir2)");
        for (String d : List.of("dir1", "dir2")) {
            Topology.sh("ip", "netns", "exec", P + d, "nft", "delete", "table", "inet", "l4jpart");
        }
        long healed = System.nanoTime();
        long deadline = healed + (long) (200_000_000L * Appliance.slack());
        List<String> h;
        while (!(h = holders()).equals(List.of("dir1")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        long oneMaster = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed);
        Appliance.poll(() -> clientArp().equals(MAC1), "the client's ARP entry for the VIP at dir1");
        long arp = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healed);
        System.out.printf("HA: partition healed: one master (dir1) after %d ms, client's ARP at it after %d ms%n",
                oneMaster, arp);
        assertEquals(List.of("dir1"), h, "exactly one master (the owner, auto_failback on) within two keepalives");
        assertTrue(dir2.ctl("ha").ok().out().startsWith("dir2: BACKUP"));
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served through dir1");
    }

    @Test
    @Order(8)
    void aMasterPausedForTwoSecondsIsReplacedAndRejoinsCleanly() throws Exception {
        dir1.signal("STOP");
        long stopped = System.nanoTime();
        try {
            Appliance.poll(() -> holdsVip("dir2"), "dir2 takes the VIP from the paused dir1");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            assertTrue(took <= 1000 * Appliance.slack(), "takeover after " + took + " ms");
            // for the rest of the 2 s pause the backup must keep the VIP
            long resume = stopped + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < resume) {
                assertTrue(holdsVip("dir2"), "dir2 keeps the VIP while dir1 is paused");
            }
        } finally {
            dir1.signal("CONT");
        }
        long resumed = System.nanoTime();
        Appliance.poll(() -> holders().size() == 1 && dir1.ctl("ha").ok().out().startsWith("dir1: MASTER")
                != dir2.ctl("ha").ok().out().startsWith("dir2: MASTER"), "exactly one master after the pause");
        String winner = holders().get(0);
        Appliance.poll(() -> clientArp().equals(winner.equals("dir1") ? MAC1 : MAC2),
                "the client's ARP entry at the master");
        System.out.printf("HA: after a 2 s pause: one master (%s) and the client's ARP at it %d ms after SIGCONT%n",
                winner, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed));
        Appliance.poll(() -> List.of("rs1", "rs2").contains(String.valueOf(curl())), "served after the pause");
    }
}
