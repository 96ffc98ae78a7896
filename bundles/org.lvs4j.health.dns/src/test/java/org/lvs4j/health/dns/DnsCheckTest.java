package org.lvs4j.health.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.health.support.testing.Peer;

/** The dns check against dnsmasq (Debian's dnsmasq-base) on a loopback high port, over UDP and TCP. */
class DnsCheckTest {

    @TempDir
    Path tmp;

    private Peer dnsmasq;
    private int port;
    private final DnsCheck check = new DnsCheck();

    @AfterEach
    void stop() throws Exception {
        if (dnsmasq != null) {
            dnsmasq.close();
        }
    }

    private void start() throws Exception {
        dnsmasq.start("/usr/sbin/dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + port,
                "--pid-file=" + tmp.resolve("dnsmasq.pid"), "--address=/www.lvs4j.test/127.0.0.99",
                "--ptr-record=99.0.0.127.in-addr.arpa,www.lvs4j.test");
        dnsmasq.awaitTcp(port);
    }

    private CheckResult run(Protocol protocol, String request, String receive) throws Exception {
        return Peer.check(check, protocol, port, Map.of("request", request, "receive", receive),
                Duration.ofSeconds(2));
    }

    @Test
    void upWithTheRightAnswerDownWithTheWrongOneOrNoServerAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/dnsmasq");
        port = Peer.freePort();
        dnsmasq = new Peer("dnsmasq", tmp.resolve("dnsmasq.log"));
        start();
        CheckResult a = run(Protocol.UDP, "www.lvs4j.test", "^127\\.0\\.0\\.99$");
        assertTrue(a.up(), a.reason());
        assertEquals("A 127.0.0.99", a.reason());
        CheckResult ptr = run(Protocol.UDP, "127.0.0.99", "www\\.lvs4j\\.test");
        assertTrue(ptr.up(), ptr.reason());
        CheckResult tcp = run(Protocol.TCP, "www.lvs4j.test", "127.0.0.99");
        assertTrue(tcp.up(), "over TCP: " + tcp.reason());
        CheckResult wrong = run(Protocol.UDP, "www.lvs4j.test", "^10\\.");
        assertFalse(wrong.up());
        assertEquals("A 127.0.0.99 does not match \"^10\\.\"", wrong.reason());
        CheckResult missing = run(Protocol.UDP, "nosuch.lvs4j.test", "");
        assertFalse(missing.up(), missing.reason());

        dnsmasq.stop();
        CheckResult stopped = run(Protocol.UDP, "www.lvs4j.test", "127.0.0.99");
        assertFalse(stopped.up());
        start();
        assertTrue(run(Protocol.UDP, "www.lvs4j.test", "127.0.0.99").up(), "up again");
    }
}
