package org.lvs4j.health.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.health.support.testing.Peer;

/** The ftp check against vsftpd (Debian's vsftpd) with a private configuration on a loopback high port. */
class FtpCheckTest {

    @TempDir
    Path tmp;

    private Peer vsftpd;
    private int port;
    private final FtpCheck check = new FtpCheck();

    @AfterEach
    void stop() throws Exception {
        if (vsftpd != null) {
            vsftpd.close();
        }
    }

    private void start() throws Exception {
        vsftpd.start("/usr/sbin/vsftpd", tmp.resolve("vsftpd.conf").toString());
        vsftpd.awaitTcp(port);
    }

    private CheckResult run(Map<String, String> params) throws Exception {
        return Peer.check(check, Protocol.TCP, port, params, Duration.ofSeconds(5));
    }

    @Test
    void anonymousFetchMatchesThenWrongReceiveOrNoServerIsDownAndUpAgain() throws Exception {
        Peer.require("/usr/sbin/vsftpd");
        port = Peer.freePort();
        // vsftpd refuses a writable anonymous root and wants an empty root-owned directory for its chroot.
        Path root = Files.createDirectories(tmp.resolve("ftproot"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(root.resolve("check.txt"), "lvs4j test file: all good\n");
        for (Path p : new Path[] {tmp, root, empty}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(root.resolve("check.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(tmp.resolve("vsftpd.conf"), """
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                listen_port=%d
                background=NO
                anonymous_enable=YES
                no_anon_password=YES
                anon_root=%s
                local_enable=NO
                write_enable=NO
                pasv_enable=YES
                pasv_address=127.0.0.1
                secure_chroot_dir=%s
                seccomp_sandbox=NO
                xferlog_enable=NO
                vsftpd_log_file=%s
                """.formatted(port, root, empty, tmp.resolve("xfer.log")));
        vsftpd = new Peer("vsftpd", tmp.resolve("vsftpd.log"));
        start();

        CheckResult ok = run(Map.of("request", "check.txt", "receive", "all good"));
        assertTrue(ok.up(), ok.reason());
        assertEquals("fetched check.txt", ok.reason());
        assertTrue(run(Map.of()).up(), "login only");
        CheckResult wrong = run(Map.of("request", "check.txt", "receive", "^broken"));
        assertFalse(wrong.up());
        assertEquals("check.txt does not contain \"^broken\"", wrong.reason());
        CheckResult missing = run(Map.of("request", "nosuch.txt", "receive", ""));
        assertFalse(missing.up(), missing.reason());
        CheckResult badLogin = run(Map.of("login", "nosuchuser", "passwd", "x"));
        assertFalse(badLogin.up(), badLogin.reason());

        vsftpd.stop();
        CheckResult stopped = run(Map.of("request", "check.txt", "receive", "all good"));
        assertFalse(stopped.up());
        // The server may still be closing its listener: refused or reset, either way down.
        assertTrue(stopped.reason().matches("connection (refused|reset)"), stopped.reason());
        start();
        assertTrue(run(Map.of("request", "check.txt", "receive", "all good")).up(), "up again");
    }
}
