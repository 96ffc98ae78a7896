/*
 * The nntp check, as ldirectord's check_nntp: connect and read the server's banner; up when it starts with 2 (200
 * posting allowed, 201 no posting), down on a 4xx or 5xx banner (a throttled or refusing server); then QUIT. The
 * NNTP conversation is Apache Commons Net's, bounded by the check's deadline.
 */
package org.lvs4j.health.nntp;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.apache.commons.net.nntp.NNTPClient;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.osgi.service.component.annotations.Component;

/** The {@code nntp} check. */
@Component(property = HealthCheck.PROTOCOL + "=nntp")
public class NntpCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("nntp", () -> run(target, deadline));
    }

    static CheckResult run(CheckTarget target, Instant deadline) throws Exception {
        NNTPClient nntp = new NNTPClient();
        int ms = Probe.millisLeft(deadline);
        nntp.setConnectTimeout(ms);
        nntp.setDefaultTimeout(ms);
        try {
            try {
                nntp.connect(target.server().getAddress(), target.server().getPort());
            } catch (org.apache.commons.net.nntp.NNTPConnectionClosedException e) {
                // Commons Net closes on a 400 banner itself ("service discontinued" or throttled).
                return CheckResult.down("banner 400: the server closed the connection");
            }
            int code = nntp.getReplyCode();
            String banner = nntp.getReplyString().strip();
            if (code < 200 || code > 299) {
                return CheckResult.down("banner " + banner);
            }
            nntp.logout();
            return CheckResult.up("banner " + code);
        } finally {
            if (nntp.isConnected()) {
                try {
                    nntp.disconnect();
                } catch (java.io.IOException e) {
                    // gone already
                }
            }
        }
    }
}
