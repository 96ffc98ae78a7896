/*
 * The pop check, as ldirectord's check_pop (Mail::POP3Client): the server must greet with +OK; with login and
 * passwd it must also accept USER and PASS; then QUIT. pops is the same over TLS from the first byte (port 995),
 * any certificate accepted. The POP3 conversation is Apache Commons Net's, bounded by the check's deadline.
 */
package org.lvs4j.health.pop;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.osgi.service.component.annotations.Component;

/** The {@code pop} and {@code pops} checks. */
@Component(property = {HealthCheck.PROTOCOL + "=pop", HealthCheck.PROTOCOL + "=pops"})
public class PopCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("pop", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        POP3Client pop;
        if ("pops".equals(params.get("service"))) {
            POP3SClient s = new POP3SClient(true);
            s.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
            pop = s;
        } else {
            pop = new POP3Client();
        }
        int ms = Probe.millisLeft(deadline);
        pop.setConnectTimeout(ms);
        pop.setDefaultTimeout(ms);
        try {
            pop.connect(target.server().getAddress(), target.server().getPort());
            pop.setSoTimeout(Probe.millisLeft(deadline));
            String login = params.get("login");
            if (login != null && !login.isEmpty()) {
                if (!pop.login(login, params.getOrDefault("passwd", ""))) {
                    return CheckResult.down("login as " + login + " refused: " + reply(pop));
                }
                pop.logout();
                return CheckResult.up("logged in as " + login);
            }
            pop.logout();
            return CheckResult.up("greeted");
        } finally {
            if (pop.isConnected()) {
                try {
                    pop.disconnect();
                } catch (java.io.IOException e) {
                    // gone already
                }
            }
        }
    }

    private static String reply(POP3Client pop) {
        String r = pop.getReplyString();
        return r == null ? "no reply" : r.strip();
    }
}
