/*
 * The ldap check, as ldirectord's check_ldap (Net::LDAP): bind, anonymously unless login (a DN) and passwd are
 * given; search the entry named by request (base scope, filter (objectClass=*)); up when exactly one entry comes back
 * and its DN matches receive (a regular expression, case-insensitive as DNs are; empty accepts any). LDAP is spoken
 * by the UnboundID LDAP SDK, with connect and response timeouts from the check's deadline; for the ldaps service the
 * connection is TLS, any certificate accepted as in the other checks.
 */
package org.lvs4j.health.ldap;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code ldap} and {@code ldaps} checks. */
@Component(property = {HealthCheck.PROTOCOL + "=ldap", HealthCheck.PROTOCOL + "=ldaps"})
public class LdapCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("ldap", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        LDAPConnectionOptions o = new LDAPConnectionOptions();
        int ms = Probe.millisLeft(deadline);
        o.setConnectTimeoutMillis(ms);
        o.setResponseTimeoutMillis(ms);
        o.setUseSynchronousMode(true);
        String host = target.server().getAddress().getHostAddress();
        int port = target.server().getPort();
        try (LDAPConnection c = "ldaps".equals(params.get("service"))
                ? new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(), o, host, port)
                : new LDAPConnection(o, host, port)) {
            String login = params.get("login");
            if (login != null && !login.isEmpty()) {
                c.bind(login, params.getOrDefault("passwd", ""));
            }
            String base = params.getOrDefault("request", "");
            SearchRequest r = new SearchRequest(base, SearchScope.BASE, "(objectClass=*)", "1.1");
            r.setTimeLimitSeconds(Math.max(1, Probe.millisLeft(deadline) / 1000));
            r.setSizeLimit(2);
            SearchResult res = c.search(r);
            if (res.getEntryCount() != 1) {
                return CheckResult.down(res.getEntryCount() + " entries for " + base + ", not one");
            }
            String dn = res.getSearchEntries().get(0).getDN();
            String receive = params.getOrDefault("receive", "");
            if (!receive.isEmpty() && !Wire.find(Pattern.compile(receive, Pattern.CASE_INSENSITIVE), dn, deadline)) {
                return CheckResult.down("entry " + dn + " does not match \"" + receive + "\"");
            }
            return CheckResult.up("entry " + dn);
        } catch (LDAPException e) {
            return CheckResult.down("LDAP " + e.getResultCode().getName() + (e.getDiagnosticMessage() != null
                    ? ": " + e.getDiagnosticMessage() : ""));
        }
    }
}
