/*
 * The pgsql check, as ldirectord's check_pgsql (DBI with DBD::Pg): connect to the database (default "template1", as
 * ldirectord) as login with passwd, run request (default "SELECT 1") and be up when a row comes back. Wrong
 * credentials, a missing database or a failing query are down with the server's message. The driver is PostgreSQL's
 * own JDBC driver, with connect and socket timeouts from the check's deadline.
 */
package org.lvs4j.health.pgsql;

import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Sql;
import org.osgi.service.component.annotations.Component;

/** The {@code pgsql} check. */
@Component(property = HealthCheck.PROTOCOL + "=pgsql")
public class PgsqlCheck implements HealthCheck {

    private final org.postgresql.Driver driver = new org.postgresql.Driver();

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("pgsql", () -> {
            String host = target.server().getAddress().getHostAddress();
            String url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + target.server().getPort() + "/" + params.getOrDefault("database", "template1");
            int seconds = Math.max(1, Probe.millisLeft(deadline) / 1000);
            Properties p = new Properties();
            p.setProperty("user", params.getOrDefault("login", "postgres"));
            p.setProperty("password", params.getOrDefault("passwd", ""));
            p.setProperty("connectTimeout", Integer.toString(seconds));
            p.setProperty("socketTimeout", Integer.toString(seconds));
            p.setProperty("loginTimeout", Integer.toString(seconds));
            p.setProperty("sslmode", "disable");
            p.setProperty("ApplicationName", "lvs4j-check");
            return Sql.check(driver, url, p, params.get("request"), deadline);
        });
    }
}
