package org.lvs4j.health.smtp;

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
 * The smtp check against Postfix (Debian's postfix): an instance of its own (configuration, queue and data
 * directories in a temporary directory) run with "postfix start-fg", smtpd on a loopback high port.
 */
class SmtpCheckTest {

    @TempDir
    Path tmp;

    private Peer postfix;
    private int port;
    private final SmtpCheck check = new SmtpCheck();

    @AfterEach
    void stop() throws Exception {
        if (postfix != null) {
            postfix.close();
        }
    }

    private void configure(String extra) throws Exception {
        Path conf = tmp.resolve("conf");
        Files.writeString(conf.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %s
                data_directory = %s
                myhostname = lvs4j.test
                mydestination =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                maillog_file = /dev/stdout
                %s
                """.formatted(tmp.resolve("queue"), tmp.resolve("data"), extra));
        String master = Files.readString(Path.of("/etc/postfix/master.cf")).replaceFirst(
                "(?m)^smtp\\s+inet\\s+n\\s+-\\s+\\S+\\s+-\\s+-\\s+smtpd",
                "127.0.0.1:" + port + " inet n - n - - smtpd");
        Files.writeString(conf.resolve("master.cf"), master);
        Peer.run(Duration.ofSeconds(60), "/usr/sbin/postfix", "-c", conf.toString(), "check");
    }

    private void start() throws Exception {
        postfix.start(List.of("/usr/sbin/postfix", "-c", tmp.resolve("conf").toString(), "start-fg"), Map.of());
        postfix.awaitTcp(port);
    }

    private CheckResult run() throws Exception {
        return Peer.check(check, Protocol.TCP, port, Map.of(), Duration.ofSeconds(5));
    }

    @Test
    void greetingAndHeloAreUpARefusedHeloOrNoServerIsDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/postfix");
        port = Peer.freePort();
        for (String d : List.of("conf", "queue", "data")) {
            Files.createDirectories(tmp.resolve(d));
        }
        Peer.run(Duration.ofSeconds(10), "chmod", "755", tmp.toString());
        Peer.run(Duration.ofSeconds(10), "chown", "postfix", tmp.resolve("data").toString());
        configure("");
        postfix = new Peer("postfix", tmp.resolve("postfix.log"));
        start();
        CheckResult ok = run();
        assertTrue(ok.up(), ok.reason());
        assertEquals("HELO accepted", ok.reason());

        postfix.stop();
        CheckResult stopped = run();
        assertFalse(stopped.up());
        // The server may still be closing its listener: refused or reset, either way down.
        assertTrue(stopped.reason().matches("connection (refused|reset)"), stopped.reason());

        configure("smtpd_delay_reject = no\nsmtpd_helo_required = yes\nsmtpd_helo_restrictions = reject");
        start();
        CheckResult refused = run();
        assertFalse(refused.up(), "a server that refuses HELO: " + refused.reason());
        assertTrue(refused.reason().startsWith("HELO refused: 5"), refused.reason());
        postfix.stop();

        configure("");
        start();
        assertTrue(run().up(), "up again");
    }
}
