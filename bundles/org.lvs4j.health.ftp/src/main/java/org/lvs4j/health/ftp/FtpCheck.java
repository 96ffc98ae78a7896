/*
 * The ftp check, as ldirectord's check_ftp (Net::FTP): log in, anonymously unless login and passwd are given; with a
 * request, fetch that file in passive mode and look for receive (a regular expression) in it; then QUIT. Up when all
 * of it succeeds. The FTP conversation is Apache Commons Net's; every step is bounded by the check's deadline, and at
 * most 8 KiB of the file are read.
 */
package org.lvs4j.health.ftp;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code ftp} check. */
@Component(property = HealthCheck.PROTOCOL + "=ftp")
public class FtpCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("ftp", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        FTPClient ftp = new FTPClient();
        int ms = Probe.millisLeft(deadline);
        ftp.setConnectTimeout(ms);
        ftp.setDefaultTimeout(ms);
        ftp.setDataTimeout(Duration.ofMillis(ms));
        try {
            ftp.connect(target.server().getAddress(), target.server().getPort());
            ftp.setSoTimeout(Probe.millisLeft(deadline));
            if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
                return CheckResult.down("FTP greeting " + ftp.getReplyString().strip());
            }
            String login = params.getOrDefault("login", "anonymous");
            String passwd = params.getOrDefault("passwd", login.equals("anonymous") ? "lvs4j@" : "");
            if (!ftp.login(login, passwd)) {
                return CheckResult.down("login as " + login + " refused: " + ftp.getReplyString().strip());
            }
            String request = params.getOrDefault("request", "");
            if (request.isEmpty()) {
                ftp.logout();
                return CheckResult.up("logged in as " + login);
            }
            ftp.enterLocalPassiveMode();
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            byte[] content;
            try (InputStream in = ftp.retrieveFileStream(request)) {
                if (in == null) {
                    return CheckResult.down("cannot fetch " + request + ": " + ftp.getReplyString().strip());
                }
                content = in.readNBytes(Wire.MAX_READ);
            }
            ftp.abort(); // the rest of a long file is not wanted
            String receive = params.getOrDefault("receive", "");
            if (!receive.isEmpty() && !Wire.find(Pattern.compile(receive),
                    new String(content, StandardCharsets.ISO_8859_1), deadline)) {
                return CheckResult.down(request + " does not contain \"" + receive + "\"");
            }
            ftp.logout();
            return CheckResult.up("fetched " + request);
        } finally {
            if (ftp.isConnected()) {
                try {
                    ftp.disconnect();
                } catch (java.io.IOException e) {
                    // gone already
                }
            }
        }
    }
}
