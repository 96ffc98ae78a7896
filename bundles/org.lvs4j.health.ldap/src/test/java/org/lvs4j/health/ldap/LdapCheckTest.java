package org.lvs4j.health.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.health.support.testing.Peer;

/** The ldap check against OpenLDAP's slapd (Debian's slapd) with a private database on a loopback high port. */
class LdapCheckTest {

    @TempDir
    Path tmp;

    private Peer slapd;
    private int port;
    private final LdapCheck check = new LdapCheck();

    @AfterEach
    void stop() throws Exception {
        if (slapd != null) {
            slapd.close();
        }
    }

    private void start() throws Exception {
        slapd.start(List.of("/usr/sbin/slapd", "-d", "0", "-h", "ldap://127.0.0.1:" + port + "/", "-f",
                tmp.resolve("slapd.conf").toString()), Map.of());
        slapd.awaitTcp(port);
    }

    private CheckResult run(Map<String, String> params) throws Exception {
        return Peer.check(check, Protocol.TCP, port, params, Duration.ofSeconds(5));
    }

    @Test
    void theBaseEntryIsFoundWithRightCredentialsOtherwiseDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/slapd", "/usr/bin/ldapadd");
        port = Peer.freePort();
        Path db = Files.createDirectories(tmp.resolve("db"));
        Files.writeString(tmp.resolve("slapd.conf"), """
                include /etc/ldap/schema/core.schema
                pidfile %s
                modulepath /usr/lib/ldap
                moduleload back_mdb
                database mdb
                maxsize 10485760
                suffix "dc=lvs4j,dc=test"
                rootdn "cn=admin,dc=lvs4j,dc=test"
                rootpw secret
                directory %s
                """.formatted(tmp.resolve("slapd.pid"), db));
        slapd = new Peer("slapd", tmp.resolve("slapd.log"));
        start();
        Path ldif = tmp.resolve("base.ldif");
        Files.writeString(ldif, """
                dn: dc=lvs4j,dc=test
                objectClass: dcObject
                objectClass: organization
                dc: lvs4j
                o: lvs4j test

                dn: ou=people,dc=lvs4j,dc=test
                objectClass: organizationalUnit
                ou: people
                """);
        Peer.run(Duration.ofSeconds(30), "/usr/bin/ldapadd", "-x", "-H", "ldap://127.0.0.1:" + port, "-D",
                "cn=admin,dc=lvs4j,dc=test", "-w", "secret", "-f", ldif.toString());

        Map<String, String> bound = Map.of("login", "cn=admin,dc=lvs4j,dc=test", "passwd", "secret",
                "request", "ou=people,dc=lvs4j,dc=test", "receive", "^ou=people,");
        CheckResult ok = run(bound);
        assertTrue(ok.up(), ok.reason());
        assertEquals("entry ou=people,dc=lvs4j,dc=test", ok.reason());
        assertTrue(run(Map.of("request", "dc=lvs4j,dc=test", "receive", "dc=lvs4j")).up(), "anonymous bind");
        CheckResult wrongDn = run(Map.of("request", "dc=lvs4j,dc=test", "receive", "^ou=sales"));
        assertFalse(wrongDn.up(), wrongDn.reason());
        CheckResult badPassword = run(Map.of("login", "cn=admin,dc=lvs4j,dc=test", "passwd", "wrong",
                "request", "dc=lvs4j,dc=test"));
        assertFalse(badPassword.up());
        assertTrue(badPassword.reason().startsWith("LDAP invalid credentials"), badPassword.reason());
        CheckResult missing = run(Map.of("request", "ou=nosuch,dc=lvs4j,dc=test"));
        assertFalse(missing.up(), missing.reason());

        slapd.stop();
        assertFalse(run(bound).up(), "stopped");
        start();
        assertTrue(run(bound).up(), "up again");
    }
}
