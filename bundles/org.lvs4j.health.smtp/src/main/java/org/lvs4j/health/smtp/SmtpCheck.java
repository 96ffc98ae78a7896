/*
 * The smtp check, as ldirectord's check_smtp (Net::SMTP) and keepalived's SMTP_CHECK: the server must greet with a
 * 2xx (220) reply and accept HELO with 250; the session ends with QUIT. The SMTP conversation is Apache Commons
 * Net's, bounded by the check's deadline. HELO names the director as "lvs4j-check" unless request gives a name.
 */
package org.lvs4j.health.smtp;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.osgi.service.component.annotations.Component;

/** The {@code smtp} (and {@code submission}) check. */
@Component(property = {HealthCheck.PROTOCOL + "=smtp", HealthCheck.PROTOCOL + "=submission"})
public class SmtpCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("smtp", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        SMTPClient smtp = new SMTPClient();
        int ms = Probe.millisLeft(deadline);
        smtp.setConnectTimeout(ms);
        smtp.setDefaultTimeout(ms);
        try {
            smtp.connect(target.server().getAddress(), target.server().getPort());
            smtp.setSoTimeout(Probe.millisLeft(deadline));
            if (!SMTPReply.isPositiveCompletion(smtp.getReplyCode())) {
                return CheckResult.down("greeting " + smtp.getReplyString().strip());
            }
            String helo = params.getOrDefault("request", "");
            if (!smtp.login(helo.isEmpty() ? "lvs4j-check" : helo)) {
                return CheckResult.down("HELO refused: " + smtp.getReplyString().strip());
            }
            smtp.logout();
            return CheckResult.up("HELO accepted");
        } finally {
            if (smtp.isConnected()) {
                try {
                    smtp.disconnect();
                } catch (java.io.IOException e) {
                    // gone already
                }
            }
        }
    }
}
