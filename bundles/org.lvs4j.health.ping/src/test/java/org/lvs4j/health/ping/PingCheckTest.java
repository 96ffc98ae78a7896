package org.lvs4j.health.ping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;

/**
 * ICMP echo through the kernel: the loopback answers; an address in a network namespace this test creates and
 * then takes away does not. Needs root (or ping sockets allowed) and is required in CI.
 */
class PingCheckTest {

    private final PingCheck check = new PingCheck();

    @AfterEach
    void close() {
        check.close();
    }

    private static void needRoot() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run as root: raw ICMP sockets");
            }
            Assumptions.abort("needs root: raw ICMP sockets (or net.ipv4.ping_group_range)");
        }
    }

    private CheckResult ping(String address, Duration timeout) throws Exception {
        CheckTarget t = new CheckTarget(Protocol.TCP, new InetSocketAddress(InetAddress.getByName(address), 80),
                new InetSocketAddress("127.7.1.1", 80));
        return check.check(t, Map.of(), Instant.now().plus(timeout)).toCompletableFuture()
                .get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    @Test
    void loopbackAnswersV4AndV6() throws Exception {
        needRoot();
        CheckResult r = ping("127.0.0.1", Duration.ofSeconds(2));
        assertTrue(r.up(), r.reason());
        assertEquals("echo reply", r.reason());
        CheckResult r6 = ping("::1", Duration.ofSeconds(2));
        assertTrue(r6.up(), r6.reason());
    }

    @Test
    void aNamespacesAddressAnswersAndIsSilentOnceItIsGone() throws Exception {
        needRoot();
        // A namespace of our own, joined to this one by a veth pair: its address answers echoes, and once the
        // address is taken away the echo goes unanswered.
        long pid = ProcessHandle.current().pid();
        String ns = "lvs4j-ping-" + pid;
        String host = "lvsp" + (pid % 100000) + "a";
        String peer = "lvsp" + (pid % 100000) + "b";
        run("ip", "netns", "add", ns);
        try {
            run("ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns);
            run("ip", "addr", "add", "10.254.77.1/30", "dev", host);
            run("ip", "link", "set", host, "up");
            run("ip", "-n", ns, "addr", "add", "10.254.77.2/30", "dev", peer);
            run("ip", "-n", ns, "link", "set", peer, "up");
            // A new veth link takes a moment to carry packets: ask until it answers, for up to 10 s.
            CheckResult up = ping("10.254.77.2", Duration.ofSeconds(1));
            for (int i = 0; i < 9 && !up.up(); i++) {
                up = ping("10.254.77.2", Duration.ofSeconds(1));
            }
            assertTrue(up.up(), up.reason());
            run("ip", "-n", ns, "addr", "del", "10.254.77.2/30", "dev", peer);
            long t0 = System.nanoTime();
            CheckResult r = ping("10.254.77.2", Duration.ofMillis(500));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertFalse(r.up());
            assertEquals("no echo reply", r.reason());
            assertTrue(ms < 1500, "ended at the timeout: " + ms + " ms");
        } finally {
            new ProcessBuilder("ip", "link", "del", host).start().waitFor();
            run("ip", "netns", "del", ns);
        }
    }

    @Test
    void checksumIsRfc1071() {
        // The example of RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is 220d.
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(0x220d, PingCheck.checksum(b));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + out);
        }
    }
}
