package org.lvs4j.ha.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes over real UDP on loopback (127.0.0.2 and 127.0.0.3, one port), keepalive 100 ms, deadtime 500 ms: the
 * owner becomes master, a graceful stop hands over at once, a killed master is replaced after deadtime, and forged,
 * wrongly keyed and replayed datagrams change nothing and are counted.
 */
class NodeTest {

    static final String KEYS = "auth 1\n1 sha256 test-secret\n";
    final List<Node> nodes = new ArrayList<>();
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    int port;

    @AfterEach
    void stop() {
        for (Node n : nodes) {
            n.stop(true);
        }
    }

    static double slack() {
        return Math.max(1.0, Double.parseDouble(System.getProperty("test.slack",
                System.getenv().getOrDefault("TEST_SLACK", "1"))));
    }

    static void await(BooleanSupplier c, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (millis * slack() * 1_000_000);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    Node node(String self, String me, String peer) throws Exception {
        if (port == 0) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.2"))) {
                port = s.getLocalPort();
            }
        }
        return node(self, "ucast lo " + peer + " from " + me);
    }

    @Test
    void theOwnerLeadsAGracefulStopHandsOverAtOnceAndAKillAfterDeadtime() throws Exception {
        Node a = node("dir1", "127.0.0.2", "127.0.0.3");
        Node b = node("dir2", "127.0.0.3", "127.0.0.2");
        await(() -> a.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 1000, "dir1 master");

        long t = System.nanoTime();
        a.stop(false);
        await(() -> b.role() == Brain.Role.MASTER, 200, "dir2 master right after dir1's release");
        System.out.printf("graceful hand-over %d ms%n", (System.nanoTime() - t) / 1_000_000);
        assertTrue(events.indexOf("dir1 released") < events.indexOf("dir2 master"), events.toString());

        Node a2 = node("dir1", "127.0.0.2", "127.0.0.3");
        await(() -> a2.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 1500,
                "auto_failback: the owner back as master");
        t = System.nanoTime();
        a2.stop(true); // SIGKILL: no release
        await(() -> b.role() == Brain.Role.MASTER, 1000, "dir2 master after deadtime");
        long took = (System.nanoTime() - t) / 1_000_000;
        System.out.printf("takeover after a kill %d ms%n", took);
        assertTrue(took >= 400, "not before deadtime: " + took);
    }

    /** A node on one medium line, with the test's timers; its role changes are recorded in {@link #events}. */
    Node node(String self, String medium) throws Exception {
        HaConfig c = HaConfig.parse(Path.of("ha.cf"), "keepalive 100ms\ndeadtime 500ms\ninitdead 1\nudpport " + port
                + "\n" + medium + "\nauto_failback on\nnode dir1 dir2\nself " + self + "\n");
        Node n = new Node(c, AuthKeys.parse(Path.of("authkeys"), KEYS), "dir1", new Node.Actions() {
            @Override
            public void becomeMaster() {
                events.add(self + " master");
            }

            @Override
            public void stepDown() {
                events.add(self + " released");
            }

            @Override
            public void reannounce() {
                events.add(self + " reannounced");
            }
        }, () -> System.nanoTime() / 1_000_000);
        nodes.add(n);
        n.start();
        return n;
    }

    static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
    }

    /**
     * mcast and bcast media on a veth interface the test creates (multicast and broadcast are looped back to this
     * host's sockets, so both nodes hear each other): the owner leads, and a stop hands over at once.
     */
    @Test
    void mcastAndBcastMediaCarryTheElection() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        org.junit.jupiter.api.Assumptions.assumeTrue(root || "true".equals(System.getenv("CI")),
                "needs root to create a veth interface");
        String dev = "l4jha" + ProcessHandle.current().pid() % 100_000;
        ip("link", "add", dev, "type", "veth", "peer", "name", dev + "p");
        try {
            ip("link", "set", dev + "p", "up");
            ip("link", "set", dev, "multicast", "on", "up");
            ip("addr", "add", "10.231.0.1/24", "brd", "+", "dev", dev);
            try (DatagramSocket s = new DatagramSocket(0)) {
                port = s.getLocalPort();
            }
            for (String medium : List.of("mcast " + dev + " 239.255.41.1 " + port + " 1 1", "bcast " + dev)) {
                Node a = node("dir1", medium);
                Node b = node("dir2", medium);
                await(() -> a.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 1500,
                        "dir1 master over " + medium);
                a.stop(false);
                await(() -> b.role() == Brain.Role.MASTER, 300, "dir2 master at once over " + medium);
                b.stop(false);
                assertEquals(0, a.dropped(Node.Drop.NOT_THE_PEER) + b.dropped(Node.Drop.NOT_THE_PEER),
                        "a node's own looped-back statuses are not refusals");
            }
        } finally {
            ip("link", "del", dev);
        }
    }

    @Test
    void aNodeAsksItsPeerForItsTableAndGetsItWholeInSignedParts() throws Exception {
        Node a = node("dir1", "127.0.0.2", "127.0.0.3");
        Node b = node("dir2", "127.0.0.3", "127.0.0.2");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            big.append("-a -t 10.0.0.100:80 -r 10.0.").append(i / 250).append('.').append(i % 250)
                    .append(":80 -g -w 1\n");
        }
        b.tableSource(big::toString);
        assertTrue(big.length() > 4 * Node.TABLE_CHUNK, "several parts");
        assertEquals(big.toString(), a.peerTable().get(2, java.util.concurrent.TimeUnit.SECONDS));
        b.tableSource(() -> "");
        assertEquals("", a.peerTable().get(2, java.util.concurrent.TimeUnit.SECONDS), "an empty table is one part");
    }

    @Test
    void tablesDifferLineByLine() {
        assertEquals("dir1 and dir2 have the same table (2 lines)\n",
                TableDiff.of("dir1", "-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 1\n", "dir2",
                        "-a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 1\n-A -t 1.2.3.4:80 -s rr\n"));
        assertEquals("--- dir1 (this director)\n+++ dir2\n- -a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 1\n"
                + "+ -a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 2\n",
                TableDiff.of("dir1", "-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 1\n", "dir2",
                        "-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -g -w 2\n"));
    }

    @Test
    void forgedWronglyKeyedAndReplayedDatagramsChangeNothing() throws Exception {
        Node a = node("dir1", "127.0.0.2", "127.0.0.3");
        Node b = node("dir2", "127.0.0.3", "127.0.0.2");
        await(() -> a.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 1000, "dir1 master");
        InetSocketAddress toB = new InetSocketAddress("127.0.0.3", port);
        Map<String, String> release = new LinkedHashMap<>();
        release.put("t", "release");
        release.put("st", "backup");
        release.put("src", "dir1");
        release.put("hg", Long.toHexString(Long.MAX_VALUE / 2));
        release.put("seq", "1");
        byte[] wrongKey = Message.encode(release, AuthKeys.parse(Path.of("k"), "auth 1\n1 sha256 guessed\n"));
        byte[] forged = ">>>\nt=release\nsrc=dir1\nst=backup\nhg=1\nseq=1\n<<<\n".getBytes();
        byte[] asSomeoneElse = Message.encode(Map.of("t", "status", "st", "master", "src", "dir9", "hg", "1",
                "seq", "1"), AuthKeys.parse(Path.of("k"), KEYS));
        try (DatagramSocket attacker = new DatagramSocket(0, InetAddress.getByName("127.0.0.9"))) {
            for (byte[] d : List.of(wrongKey, forged, asSomeoneElse)) {
                attacker.send(new DatagramPacket(d, d.length, toB));
            }
            await(() -> b.dropped(Node.Drop.BAD_SIGNATURE) == 1 && b.dropped(Node.Drop.UNSIGNED) == 1
                    && b.dropped(Node.Drop.NOT_THE_PEER) == 1, 1000, "each counted: " + b.describe());
        }
        // a capture from an earlier run of dir1 (an older generation), taken twice
        byte[] status = Message.encode(Map.of("t", "status", "st", "master", "src", "dir1", "hg", "1", "seq", "5"),
                AuthKeys.parse(Path.of("k"), KEYS));
        b.take(status, status.length);
        b.take(status, status.length);
        assertTrue(b.dropped(Node.Drop.REPLAYED) + b.dropped(Node.Drop.STALE_GENERATION) >= 1, b.describe());
        long seen = b.received();
        await(() -> b.received() >= seen + 3, 1000, "three more keepalives from dir1 after the attack");
        assertEquals(Brain.Role.MASTER, a.role());
        assertEquals(Brain.Role.BACKUP, b.role(), "nothing moved");
        assertTrue(!events.contains("dir2 master"), events.toString());
    }

    @Test
    void standbyAndTakeoverMoveTheResourcesBothWays() throws Exception {
        Node a = node("dir1", "127.0.0.2", "127.0.0.3");
        Node b = node("dir2", "127.0.0.3", "127.0.0.2");
        await(() -> a.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 1000, "dir1 master");
        a.standby();
        await(() -> b.role() == Brain.Role.MASTER && a.role() == Brain.Role.BACKUP, 500, "hb_standby on dir1");
        long heard = a.received();
        await(() -> a.received() >= heard + 5, 1000, "five keepalives from dir2, longer than a hand-back takes");
        assertEquals(Brain.Role.MASTER, b.role(), "auto_failback does not undo a standby");
        a.takeover();
        await(() -> a.role() == Brain.Role.MASTER && b.role() == Brain.Role.BACKUP, 500, "hb_takeover on dir1");
    }
}
