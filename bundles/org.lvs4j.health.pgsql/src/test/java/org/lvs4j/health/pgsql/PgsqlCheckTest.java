package org.lvs4j.health.pgsql;

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

/**
 * The pgsql check against PostgreSQL (Debian's postgresql): a cluster of its own made with initdb, run as the
 * postgres user (PostgreSQL refuses root) on a loopback high port with password authentication.
 */
class PgsqlCheckTest {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path tmp;

    private Peer postgres;
    private int port;
    private Path data;
    private final PgsqlCheck check = new PgsqlCheck();

    @AfterEach
    void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Path bin() throws Exception {
        try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("postgres"))).findFirst()
                    .orElse(Path.of("/usr/lib/postgresql/15/bin"));
        }
    }

    private void start() throws Exception {
        postgres.start(List.of("runuser", "-u", "postgres", "--", bin().resolve("postgres").toString(), "-D",
                data.toString(), "-p", Integer.toString(port), "-k", data.toString(), "-c",
                "listen_addresses=127.0.0.1"), Map.of());
        postgres.awaitTcp(port);
    }

    private CheckResult run(Map<String, String> params) throws Exception {
        return Peer.check(check, Protocol.TCP, port, params, Duration.ofSeconds(5));
    }

    @Test
    void queryWithTheRightCredentialsIsUpOtherwiseDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/runuser", bin().resolve("initdb").toString());
        port = Peer.freePort();
        Path home = Files.createDirectories(tmp.resolve("pg"));
        data = home.resolve("data");
        Path pw = home.resolve("pw");
        Files.writeString(pw, "secret\n");
        Peer.run(Duration.ofSeconds(10), "chown", "-R", "postgres", home.toString());
        Peer.run(Duration.ofSeconds(10), "chmod", "755", tmp.toString());
        Peer.run(Duration.ofSeconds(120), "runuser", "-u", "postgres", "--", bin().resolve("initdb").toString(),
                "-D", data.toString(), "-U", "lvs4j", "--pwfile=" + pw, "--auth=scram-sha-256", "-E", "UTF8");
        postgres = new Peer("postgres", tmp.resolve("postgres.log"));
        start();

        Map<String, String> good = Map.of("login", "lvs4j", "passwd", "secret", "database", "postgres",
                "request", "SELECT datname FROM pg_database WHERE datname = 'postgres'");
        CheckResult ok = run(good);
        assertTrue(ok.up(), ok.reason());
        assertEquals("query returned a row", ok.reason());
        CheckResult none = run(Map.of("login", "lvs4j", "passwd", "secret", "database", "postgres",
                "request", "SELECT 1 WHERE false"));
        assertFalse(none.up());
        CheckResult badPassword = run(Map.of("login", "lvs4j", "passwd", "wrong", "database", "postgres"));
        assertFalse(badPassword.up());
        assertTrue(badPassword.reason().startsWith("SQL 28P01"), badPassword.reason());

        postgres.stop();
        assertFalse(run(good).up(), "stopped");
        start();
        assertTrue(run(good).up(), "up again");
    }
}
