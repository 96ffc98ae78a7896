package org.lvs4j.health.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;

/** The connect check against real loopback sockets, TCP and UDP. */
class ConnectCheckTest {

    private final ConnectCheck check = new ConnectCheck();

    private CheckResult run(Protocol p, int port, Duration timeout) throws Exception {
        CheckTarget t = new CheckTarget(p, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress("127.7.1.1", port));
        return check.check(t, Map.of(), Instant.now().plus(timeout)).toCompletableFuture()
                .get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    @Test
    void tcpListenerIsUpAndClosedPortIsRefused() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
            CheckResult r = run(Protocol.TCP, port, Duration.ofSeconds(2));
            assertTrue(r.up(), r.reason());
            assertEquals("connected", r.reason());
        }
        CheckResult r = run(Protocol.TCP, port, Duration.ofSeconds(2));
        assertFalse(r.up());
        assertEquals("connection refused", r.reason());
    }

    @Test
    void udpIsDownOnPortUnreachableAndUpWhenNothingComplains() throws Exception {
        int port;
        try (DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = ds.getLocalPort();
            CheckResult r = run(Protocol.UDP, port, Duration.ofMillis(500));
            assertTrue(r.up(), r.reason());
        }
        CheckResult r = run(Protocol.UDP, port, Duration.ofSeconds(2));
        assertFalse(r.up());
        assertEquals("port unreachable", r.reason());
    }
}
