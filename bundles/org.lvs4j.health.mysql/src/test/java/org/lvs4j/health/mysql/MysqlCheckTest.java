package org.lvs4j.health.mysql;

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
 * The mysql check against MariaDB (Debian's mariadb-server): a data directory of its own made with
 * mariadb-install-db, the server run as the mysql user on a loopback high port, a user with a password.
 */
class MysqlCheckTest {

    @TempDir
    Path tmp;

    private Peer mariadb;
    private int port;
    private Path data;
    private Path socket;
    private final MysqlCheck check = new MysqlCheck();

    @AfterEach
    void stop() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
    }

    private void start() throws Exception {
        mariadb.start(List.of("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data, "--socket=" + socket,
                "--port=" + port, "--bind-address=127.0.0.1", "--user=mysql", "--skip-log-bin",
                "--pid-file=" + data.resolve("mariadb.pid"), "--innodb-buffer-pool-size=16M"), Map.of());
        mariadb.awaitTcp(port);
    }

    private CheckResult run(Map<String, String> params) throws Exception {
        return Peer.check(check, Protocol.TCP, port, params, Duration.ofSeconds(5));
    }

    @Test
    void queryWithTheRightCredentialsIsUpOtherwiseDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db", "/usr/bin/mariadb");
        port = Peer.freePort();
        Path home = Files.createDirectories(tmp.resolve("db"));
        data = home.resolve("data");
        socket = home.resolve("mysqld.sock");
        Peer.run(Duration.ofSeconds(10), "chmod", "755", tmp.toString());
        Peer.run(Duration.ofSeconds(10), "chown", "mysql", home.toString());
        Peer.run(Duration.ofSeconds(120), "/usr/bin/mariadb-install-db", "--no-defaults", "--user=mysql",
                "--datadir=" + data, "--skip-test-db", "--auth-root-authentication-method=socket");
        mariadb = new Peer("mariadb", tmp.resolve("mariadb.log"));
        start();
        Peer.run(Duration.ofSeconds(30), "/usr/bin/mariadb", "--no-defaults", "--socket=" + socket, "-u", "root",
                "-e", "CREATE USER 'lvs4j'@'%' IDENTIFIED BY 'secret'; CREATE DATABASE shop;"
                        + " GRANT SELECT ON shop.* TO 'lvs4j'@'%';");

        Map<String, String> good = Map.of("login", "lvs4j", "passwd", "secret", "database", "shop",
                "request", "SELECT 1");
        CheckResult ok = run(good);
        assertTrue(ok.up(), ok.reason());
        assertEquals("query returned a row", ok.reason());
        CheckResult badPassword = run(Map.of("login", "lvs4j", "passwd", "wrong", "database", "shop"));
        assertFalse(badPassword.up());
        assertTrue(badPassword.reason().startsWith("SQL 28000"), badPassword.reason());
        CheckResult noRows = run(Map.of("login", "lvs4j", "passwd", "secret", "database", "shop",
                "request", "SELECT 1 FROM DUAL WHERE 1 = 0"));
        assertFalse(noRows.up(), noRows.reason());

        mariadb.stop();
        assertFalse(run(good).up(), "stopped");
        start();
        assertTrue(run(good).up(), "up again");
    }
}
