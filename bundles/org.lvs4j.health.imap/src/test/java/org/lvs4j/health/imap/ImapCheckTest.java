package org.lvs4j.health.imap;

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
import org.lvs4j.health.support.testing.Dovecot;
import org.lvs4j.health.support.testing.Peer;

/** The imap and imaps checks against Dovecot with a private configuration, plain and TLS. */
class ImapCheckTest {

    @TempDir
    Path tmp;

    private Dovecot dovecot;
    private final ImapCheck check = new ImapCheck();

    @AfterEach
    void stop() throws Exception {
        if (dovecot != null) {
            dovecot.close();
        }
    }

    private CheckResult run(int port, Map<String, String> params) throws Exception {
        return Peer.check(check, Protocol.TCP, port, params, Duration.ofSeconds(5));
    }

    @Test
    void greetingAndLoginPlainAndTlsThenDownAndUpAgain() throws Exception {
        dovecot = new Dovecot(tmp);
        dovecot.start();
        Map<String, String> login = Map.of("service", "imap", "login", "lvs4j", "passwd", "secret");
        CheckResult ok = run(dovecot.imap, login);
        assertTrue(ok.up(), ok.reason());
        assertEquals("logged in as lvs4j", ok.reason());
        assertEquals("greeted", run(dovecot.imap, Map.of("service", "imap")).reason());
        CheckResult tls = run(dovecot.imaps, Map.of("service", "imaps", "login", "lvs4j", "passwd", "secret"));
        assertTrue(tls.up(), "over TLS: " + tls.reason());
        CheckResult bad = run(dovecot.imap, Map.of("service", "imap", "login", "lvs4j", "passwd", "wrong"));
        assertFalse(bad.up());
        assertTrue(bad.reason().startsWith("login as lvs4j refused"), bad.reason());
        CheckResult tlsOnPlain = run(dovecot.imap, Map.of("service", "imaps"));
        assertFalse(tlsOnPlain.up(), "TLS against the plain port: " + tlsOnPlain.reason());

        dovecot.stop();
        CheckResult stopped = run(dovecot.imap, login);
        assertFalse(stopped.up());
        // The server may still be closing its listener: refused or reset, either way down.
        assertTrue(stopped.reason().matches("connection (refused|reset)"), stopped.reason());
        dovecot.start();
        assertTrue(run(dovecot.imap, login).up(), "up again");
    }
}
