package org.lvs4j.health.radius;

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
 * The radius check against FreeRADIUS (Debian's freeradius): a copy of its configuration with one site listening on
 * a loopback high port, the shared secret testing123 for localhost, and a user lvs4j with password secret.
 */
class RadiusCheckTest {

    @TempDir
    Path tmp;

    private Peer radius;
    private int port;
    private Path conf;
    private final RadiusCheck check = new RadiusCheck();

    @AfterEach
    void stop() throws Exception {
        if (radius != null) {
            radius.close();
        }
    }

    private void start() throws Exception {
        int before = readyLines();
        radius.start(List.of("/usr/sbin/freeradius", "-X", "-d", conf.toString()), Map.of());
        radius.await(() -> readyLines() > before, "FreeRADIUS ready");
    }

    /** How often the log says "Ready to process requests" (it is appended to across restarts). */
    private int readyLines() {
        return radius.log().split("Ready to process requests", -1).length - 1;
    }

    private CheckResult run(String passwd, String secret) throws Exception {
        return Peer.check(check, Protocol.UDP, port, Map.of("login", "lvs4j", "passwd", passwd, "secret", secret),
                Duration.ofSeconds(3));
    }

    @Test
    void aSignedAnswerIsUpAnotherSecretOrNoServerIsDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/freeradius");
        port = Peer.freePort();
        conf = tmp.resolve("freeradius");
        Peer.run(Duration.ofSeconds(30), "cp", "-r", "/etc/freeradius/3.0", conf.toString());
        Peer.run(Duration.ofSeconds(10), "sh", "-c", "rm -f " + conf + "/sites-enabled/* " + conf
                + "/mods-enabled/eap");
        Files.writeString(conf.resolve("sites-enabled/check"), """
                server default {
                	listen {
                		type = auth
                		ipaddr = 127.0.0.1
                		port = %d
                	}
                	authorize {
                		preprocess
                		files
                		pap
                	}
                	authenticate {
                		Auth-Type PAP {
                			pap
                		}
                	}
                	post-auth {
                	}
                }
                """.formatted(port));
        Files.createDirectories(conf.resolve("log"));
        Files.createDirectories(conf.resolve("run"));
        Path radiusd = conf.resolve("radiusd.conf");
        Files.writeString(radiusd, Files.readString(radiusd)
                .replaceFirst("(?m)^logdir = .*$", "logdir = " + conf.resolve("log"))
                .replaceFirst("(?m)^run_dir = .*$", "run_dir = " + conf.resolve("run")));
        Path users = conf.resolve("mods-config/files/authorize");
        Files.writeString(users, "lvs4j Cleartext-Password := \"secret\"\n" + Files.readString(users));
        Peer.run(Duration.ofSeconds(10), "chmod", "755", tmp.toString());
        Peer.run(Duration.ofSeconds(10), "chown", "-R", "freerad:freerad", conf.toString());
        radius = new Peer("freeradius", tmp.resolve("freeradius.log"));
        start();

        CheckResult ok = run("secret", "testing123");
        assertTrue(ok.up(), ok.reason());
        assertEquals("Access-Accept", ok.reason());
        CheckResult reject = run("wrong", "testing123");
        assertTrue(reject.up(), "a reject is an answer, as ldirectord counts it: " + reject.reason());
        assertEquals("Access-Reject (the server answers)", reject.reason());
        CheckResult otherSecret = run("secret", "not-the-secret");
        assertFalse(otherSecret.up());
        // Our Message-Authenticator does not verify with the server's secret, so FreeRADIUS drops the request.
        assertEquals("timeout", otherSecret.reason());

        radius.stop();
        assertFalse(run("secret", "testing123").up(), "stopped");
        start();
        assertTrue(run("secret", "testing123").up(), "up again");
    }
}
