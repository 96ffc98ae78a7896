package org.lvs4j.health.support.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Dovecot (Debian's dovecot-pop3d and dovecot-imapd) with a private configuration for the pop and imap checks' tests:
 * POP3, POP3S, IMAP and IMAPS on loopback high ports, one user "lvs4j" with password "secret", a self-signed
 * certificate made with openssl.
 */
public final class Dovecot implements AutoCloseable {

    public final int pop3 = Peer.freePort();
    public final int pop3s = Peer.freePort();
    public final int imap = Peer.freePort();
    public final int imaps = Peer.freePort();
    private final Path dir;
    private final Peer peer;

    public Dovecot(Path dir) throws Exception {
        Peer.require("/usr/sbin/dovecot", "/usr/bin/openssl", "/usr/lib/dovecot/pop3", "/usr/lib/dovecot/imap");
        this.dir = dir;
        this.peer = new Peer("dovecot", dir.resolve("dovecot.log"));
        for (String d : List.of("run", "state", "mail")) {
            Files.createDirectories(dir.resolve(d));
        }
        Peer.run(Duration.ofSeconds(10), "chmod", "755", dir.toString());
        Peer.run(Duration.ofSeconds(10), "chown", "dovecot", dir.resolve("mail").toString());
        Peer.run(Duration.ofSeconds(60), "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-subj", "/CN=localhost", "-days", "2", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString());
        Files.writeString(dir.resolve("users"), "lvs4j:{PLAIN}secret::::::\n");
        Files.writeString(dir.resolve("dovecot.conf"), """
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = /dev/stderr
                protocols = pop3 imap
                listen = 127.0.0.1
                ssl = yes
                ssl_cert = <%1$s/cert.pem
                ssl_key = <%1$s/key.pem
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                mail_location = maildir:%1$s/mail/%%u
                first_valid_uid = 1
                passdb {
                  driver = passwd-file
                  args = %1$s/users
                }
                userdb {
                  driver = static
                  args = uid=dovecot gid=dovecot home=%1$s/mail/%%u
                }
                service imap-login {
                  inet_listener imap {
                    port = %2$d
                  }
                  inet_listener imaps {
                    port = %3$d
                    ssl = yes
                  }
                }
                service pop3-login {
                  inet_listener pop3 {
                    port = %4$d
                  }
                  inet_listener pop3s {
                    port = %5$d
                    ssl = yes
                  }
                }
                """.formatted(dir, imap, imaps, pop3, pop3s));
    }

    public void start() throws Exception {
        peer.start(List.of("/usr/sbin/dovecot", "-F", "-c", dir.resolve("dovecot.conf").toString()), Map.of());
        for (int port : new int[] {pop3, pop3s, imap, imaps}) {
            peer.awaitTcp(port);
        }
    }

    public void stop() throws InterruptedException {
        peer.stop();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
